"""What operators watch: the health check (/healthz) and Prometheus metrics (/metrics)."""
