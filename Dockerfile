# 店小二 营商环境投诉受理台 — Dianxiaoer desk.
#
#   docker build -t dianxiaoer .
#   docker run -d --name dianxiaoer --env-file /etc/dianxiaoer/env \
#       -v dianxiaoer-data:/var/lib/dianxiaoer -p 127.0.0.1:9090:9090 dianxiaoer
#
# No secret is baked in: the bot token, the database URL (with its password) and the webhook
# secret come from the environment at run time (DIANXIAOER_BOT_TOKEN,
# DIANXIAOER_DATABASE_URL, DIANXIAOER_WEBHOOK_SECRET). See docs/deployment.md.

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# A CJK font for the weekly chart (bot/reports/report.py picks WenQuanYi Micro Hei when present).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/*

# The desk never runs as root; its state (SQLite file, matplotlib cache) lives in its home.
RUN groupadd --system --gid 10001 dianxiaoer \
    && useradd --system --uid 10001 --gid dianxiaoer --home-dir /var/lib/dianxiaoer \
       --create-home --shell /usr/sbin/nologin dianxiaoer

WORKDIR /opt/dianxiaoer
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
RUN pip install . && rm -rf /opt/dianxiaoer/build

# Not secrets: where things are. JSON logs for collectors; /healthz and /metrics on all of
# the container's addresses (publish the port only to the host: -p 127.0.0.1:9090:9090).
ENV HOME=/var/lib/dianxiaoer \
    MPLCONFIGDIR=/var/lib/dianxiaoer/.matplotlib \
    DIANXIAOER_LOG_FORMAT=json \
    DIANXIAOER_OPS_LISTEN=0.0.0.0 \
    DIANXIAOER_OPS_PORT=9090

USER dianxiaoer
WORKDIR /var/lib/dianxiaoer
VOLUME ["/var/lib/dianxiaoer"]
# 9090: /healthz and /metrics. 8443: the webhook ([telegram] mode = "webhook") behind a proxy.
EXPOSE 9090 8443

# 503 (database down) or no answer fails the check; "degraded" (Telegram unreachable, a stale
# outbox or chaser) still answers 200: restarting would not fix those, an operator should look.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('DIANXIAOER_OPS_PORT', '9090'), timeout=4)"

# `run` migrates the database to head before it starts (as `dianxiaoer db upgrade` does).
ENTRYPOINT ["dianxiaoer"]
CMD ["run"]
