"""中文文案（默认语言）。店小二语气：热情、简短、不打官腔。"""

from __future__ import annotations

from bot.render.texts.catalog import Texts

ZH = Texts(
    menu_complaint="📝 我要投诉",
    menu_request="🙋 我要办事/提诉求",
    menu_my="📂 我的工单",
    menu_help="ℹ️ 帮助与隐私说明",
    greeting=(
        "您好{name}！这里是{desk}，企业的事就是我们的事 🤝\n"
        "遇到办事难、收费乱、政策不兑现、有人吃拿卡要……都可以在这里说。\n"
        "我们有呼必应：马上登记、派给负责的部门、按时回复您。\n"
        "请从下面的菜单选一项开始。"
    ),
    help=(
        "<b>怎么用</b>\n"
        "• 「我要投诉」「我要办事/提诉求」：按提示填写，约 2 分钟。\n"
        "• 「我的工单」或 /my：查看进度、补充材料、撤回。\n"
        "• /cancel：随时退出填写，内容存为草稿。\n"
        "• /lang：切换中文 / English。\n\n"
        "<b>隐私说明</b>\n"
        "• 您的 Telegram 账号信息只有营商环境办能看到，永远不会出现在部门群里。\n"
        "• 企业名称和联系方式由您决定是否给承办部门看。\n"
        "• 反映工作人员作风问题的，直接交纪工委监察工委办理，不会转给被反映的部门。\n"
        "• 您发送的照片和文件以复制方式交给承办部门，不显示发送人。"
    ),
    kind_names={"complaint": "投诉", "request": "诉求"},
    status_names={
        "submitted": "已提交",
        "unrouted": "待分派",
        "assigned": "已派单",
        "accepted": "已签收",
        "waiting_info": "待补充材料",
        "transfer_requested": "转办审核中",
        "extension_requested": "延期审核中",
        "resolved": "已办结",
        "closed": "已关闭",
        "withdrawn": "已撤回",
    },
    event_names={
        "submit": "提交{kind}",
        "route": "派给{department}",
        "leave_unrouted": "转营商环境办分派",
        "assign": "营商环境办派给{department}",
        "withdraw": "企业撤回",
        "add_info": "企业补充信息",
        "accept": "{department}签收",
        "reply": "{department}答复",
        "ask_info": "{department}请您补充材料",
        "info_received": "您补充了材料",
        "request_transfer": "部门申请退单",
        "approve_transfer": "转由{department}办理",
        "reject_transfer": "退单申请被驳回",
        "request_extension": "部门申请延期",
        "approve_extension": "延期获批",
        "reject_extension": "延期申请被驳回",
        "resolve": "{department}办结",
        "rate_satisfied": "您评价：{rating}",
        "rate_poor": "您评价：{rating}",
        "reopen": "重办",
        "reopen_to_dispatcher": "交营商环境办督办",
        "auto_close": "关闭",
        "enterprise_reply": "您回复",
        "answer_conduct": "您确认：{answer}",
        "comment_rating": "您留言",
        "take_back_info": "您把一条补充移出，另起新问题",
        "link_common": "列入同类诉求",
        "unlink_common": "移出同类诉求",
        "common_lead": "确定牵头部门",
    },
    #: What /ticket's audit trail calls each event (the words it has always shown).
    event_codes={
        "submit": "submitted",
        "answer_conduct": "conduct_answered",
        "route": "routed",
        "leave_unrouted": "unrouted",
        "assign": "assigned",
        "accept": "accepted",
        "ask_info": "asked_info",
        "info_received": "info_received",
        "request_transfer": "transfer_requested",
        "approve_transfer": "transfer_approved",
        "reject_transfer": "transfer_rejected",
        "request_extension": "extension_requested",
        "approve_extension": "extension_approved",
        "reject_extension": "extension_rejected",
        "reply": "replied",
        "enterprise_reply": "enterprise_replied",
        "add_info": "info_added",
        "take_back_info": "info_taken_back",
        "link_common": "common_linked",
        "unlink_common": "common_unlinked",
        "common_lead": "common_lead",
        "resolve": "resolved",
        "rate_satisfied": "rated",
        "rate_poor": "rated",
        "comment_rating": "rating_comment",
        "reopen": "reopened",
        "reopen_to_dispatcher": "reopened_to_dispatcher",
        "auto_close": "auto_closed",
        "withdraw": "withdrawn",
    },
    ask_category="请选择{kind}的类别：",
    ask_description=(
        "请说说情况：发生了什么、涉及哪个部门或事项、希望怎么解决。\n"
        "可以同时发照片或文件作为证据（可多张）。"
    ),
    description_saved=(
        "已记下 ✅（{chars} 字，{files} 个附件）。\n"
        "还可以继续补充文字、照片或文件，说完了请点「下一步」。"
    ),
    evidence_saved="已收到附件 📎（共 {files} 个）。说完了请点「下一步」。",
    need_description_first="请先用文字说明一下情况，再点「下一步」。",
    ask_company="贵企业的名称是？",
    ask_uscc="统一社会信用代码（18 位，选填）。不方便提供可点「跳过」。",
    uscc_wrong_length=(
        "这个代码是 {length} 位，统一社会信用代码应为 18 位。"
        "请核对后重新输入，或点「跳过」——不影响提交工单。"
    ),
    uscc_bad_character=(
        "第 {position} 位「{char}」不会出现在统一社会信用代码里"
        "（代码只用数字和除 I、O、Z、S、V 以外的大写字母）。"
        "请核对后重新输入，或点「跳过」——不影响提交工单。"
    ),
    uscc_bad_check=(
        "这个统一社会信用代码没有通过校验，可能有一位抄错了（不一定是最后一位）。"
        "请对照营业执照逐位核对后重新输入，或点「跳过」——不影响提交工单。"
    ),
    uscc_ok="信用代码已核验 ✅",
    ask_contact_name="联系人怎么称呼？",
    ask_phone="联系电话？可以点下方按钮一键分享手机号，也可以直接输入（手机或座机）。",
    phone_saved="已记下电话：{phone} ✅",
    phone_invalid="这个号码好像不完整。请输入手机号（如 13800138000）或座机（如 0592-5551234）。",
    contact_not_own="这是别人的联系人名片。请点按钮分享您自己的号码，或直接输入电话。",
    text_expected="这一步需要文字回答哦。",
    ask_consent=(
        "承办部门可以看到哪些信息？\n"
        "营商环境办始终能看到您的企业和联系方式；承办部门只看到您同意的部分。"
    ),
    visibility={
        "all": "企业名称和联系人都可以给部门看",
        "company": "只给企业名称",
        "none": "都不给（由营商环境办转达）",
    },
    summary=(
        "请确认您的{kind}：\n"
        "<b>类别</b>：{category}\n"
        "<b>情况</b>：{description}\n"
        "<b>附件</b>：{files} 个\n"
        "<b>企业</b>：{company}\n"
        "<b>信用代码</b>：{uscc}\n"
        "<b>联系人</b>：{contact}，{phone}\n"
        "<b>承办部门可见</b>：{visibility}"
    ),
    conduct_question=(
        "提交前想请您确认一件事：\n"
        "您反映的是<b>工作人员的作风问题</b>吗？比如指定或推荐中介、代办、咨询公司，"
        "暗示吃请、送礼、好处费，故意刁难拖着不办，或者因为投诉被打击报复。\n\n"
        "如果是，这件事由<b>{discipline}</b>受理，被反映的部门<b>看不到</b>您的投诉。\n"
        "如果不是，就按一般问题派给主管部门办理。"
    ),
    btn_conduct_yes="是",
    btn_conduct_no="否",
    conduct_answers={"yes": "是，反映工作人员作风问题", "no": "不是作风问题"},
    summary_no_uscc="未填",
    submitted=(
        "✅ 已受理，谢谢您的信任！\n"
        "工单号：<b>{number}</b>\n"
        "承办部门：{department}\n"
        "我们承诺：{accept}内签收，{first_reply}内首次答复，{resolve}内办结"
        "（签收时限 {accept_due} 前）。\n"
        "随时发送 /my 查看进度、补充材料。"
    ),
    submitted_unrouted=(
        "✅ 已受理，谢谢您的信任！\n"
        "工单号：<b>{number}</b>\n"
        "这件事由营商环境办亲自分派给最合适的部门，分派后马上告诉您。\n"
        "我们承诺：{accept}内签收，{first_reply}内首次答复，{resolve}内办结。\n"
        "随时发送 /my 查看进度、补充材料。"
    ),
    already_submitted="这张工单已经提交过了（{number}），不会重复登记。",
    promise_hours="{n} 个工作小时",
    promise_days="{n} 个工作日",
    cancelled=(
        "好的，已退出填写。已提交的工单不受影响；"
        "这次填写的内容存为草稿，下次点「我要投诉」可以接着写。"
    ),
    cancelled_adding_info="好的，已停止补充。已发送的补充内容都保存了。",
    nothing_to_cancel="当前没有正在填写的内容。需要时点菜单开始即可。",
    draft_found="您有一份没提交的草稿（{kind}·{category}）。接着写，还是重新开始？",
    offer_ticket=(
        "收到您的消息 🙏 要把它作为一张工单提交吗？\n看内容像是「{category}」，下一步可以改。"
    ),
    offer_ticket_no_category="收到您的消息 🙏 要把它作为一张工单提交吗？",
    offer_declined="好的，不提交。需要时点菜单「我要投诉」即可。",
    btn_next="下一步 ➡️",
    btn_skip="跳过",
    btn_reuse_profile="沿用上次：{company}",
    btn_share_phone="📱 分享我的手机号",
    btn_submit="✅ 提交",
    btn_edit_description="✏️ 改情况描述",
    btn_edit_company="✏️ 改企业信息",
    btn_edit_category="✏️ 改类别",
    btn_cancel="✖️ 先不提交",
    btn_resume="接着写",
    btn_restart="重新开始",
    btn_offer_complaint="作为投诉提交",
    btn_offer_request="作为诉求提交",
    btn_offer_no="不用了",
    btn_add_info="➕ 补充信息",
    btn_withdraw="↩️ 撤回工单",
    btn_confirm_withdraw="确定撤回",
    btn_keep="不撤回",
    btn_done="✅ 补充完了",
    btn_back="⬅️ 返回列表",
    my_empty="您还没有提交过工单。点菜单「我要投诉」或「我要办事/提诉求」开始。",
    my_header="您的工单（最近 {count} 张），点编号查看详情：",
    my_row="{number} · {category} · {department} · {status} · {updated}",
    ticket_detail=(
        "<b>{number}</b>（{kind}）\n"
        "<b>类别</b>：{category}\n"
        "<b>承办部门</b>：{department}\n"
        "<b>状态</b>：{status}\n"
        "<b>签收时限</b>：{accept_due}\n"
        "<b>办结时限</b>：{resolve_due}\n"
        "<b>情况</b>：{description}"
    ),
    detail_history="<b>办理记录</b>",
    history_row="{at} {what}",
    confirm_withdraw="确定撤回工单 {number} 吗？撤回后部门将停止办理。",
    withdrawn="工单 {number} 已撤回。需要的话，随时可以重新提交。",
    cannot_withdraw="工单 {number} 现在是「{status}」，已经不能撤回了。",
    ask_add_info=("请发送要补充到 {number} 的文字、照片或文件（可多条），发完点「补充完了」。"),
    info_added="已补充到工单 {number}（{count} 条），承办部门会收到。",
    info_added_nothing="没有收到补充内容，已退出补充。",
    cannot_add_info="工单 {number} 现在是「{status}」，不能再补充了。如有新情况请提交新工单。",
    unknown_ticket="没有找到这张工单。",
    lang_prompt="请选择语言 / Choose your language",
    lang_set="好的，已切换为中文。",
    card=(
        "📋 <b>{kind}</b> {number}\n"
        "<b>类别</b>：{category}\n"
        "<b>状态</b>：{status}\n"
        "<b>签收时限</b>：{accept_due}\n"
        "<b>首次答复时限</b>：{first_reply_due}\n"
        "<b>办结时限</b>：{resolve_due}\n"
        "{company}\n"
        "{contact}\n"
        "{uscc}"
        "<b>情况</b>：\n{description}"
        "{evidence}"
    ),
    card_company="<b>企业</b>：{company}",
    card_company_hidden="<b>企业</b>：（企业未授权公开，需联系请找营商环境办）",
    card_contact="<b>联系人</b>：{contact}，{phone}",
    card_contact_hidden="<b>联系人</b>：（未授权公开）",
    card_uscc="<b>信用代码</b>：{uscc}\n",
    card_evidence="\n\n📎 附件 {count} 个，见下方回复。",
    unanchored_label="📎 工单 {number}",
    dispatch_card="🔀 <b>待分派</b>：没有规则能确定承办部门，请选择。\n\n{card}",
    dispatch_card_ranked=(
        "🔀 <b>待分派</b>：系统没有把握确定承办部门，请选择；"
        "前三个按钮是最可能的部门和把握程度。\n\n{card}"
    ),
    dispatch_choice="{department} {percent}%",
    card_conduct="🛡 <b>【作风问题】</b>只由纪检监察部门办理；不得转给被反映的部门。\n",
    dispatch_assigned="✅ 已由 {who} 分派给 {department}。\n\n{card}",
    unrouted_department="营商环境办（分派中）",
    dept_withdrawn="↩️ 工单 {number} 已由企业撤回，无需继续办理。",
    dept_info_added="➕ 工单 {number} 企业补充了信息：\n{text}",
    dept_info_file="➕ 工单 {number} 企业补充了附件（见下方）。",
    enterprise_assigned="📮 您的工单 {number} 已分派给 {department}，请留意办理进度。",
    admin_only="抱歉，这个命令只有受理台管理员可以用。",
    bind_ok="✅ 已绑定：本{place}今后接收「{department}」的工单。",
    bind_usage="用法：/bind 部门代码，例如 /bind {example}\n可用代码：\n{codes}",
    bind_unknown="没有代码为「{code}」的部门。可用代码：\n{codes}",
    bind_in_group_only="请在部门的群组（或话题）里发送 /bind。",
    departments_header="<b>部门</b>（代码 · 名称 · 绑定的群 · 在办工单）",
    departments_row="{code} · {name} · {chat} · {open}",
    departments_unbound="未绑定",
    assign_refused="抱歉，只有营商环境办的成员或管理员可以分派。",
    assign_done="已分派 {number} → {department}",
    assign_usage="用法：/assign 工单号 部门代码",
    card_accepted="<b>签收</b>：{who}（{at}）",
    card_last_reply="<b>最近答复</b>：{text}",
    card_waiting="⏸ 等待企业补充材料（{since} 起，办结时限暂停计算）",
    card_resolution="<b>办结意见</b>：{text}",
    card_rating="<b>企业评价</b>：{rating}",
    card_reopened="🔁 第 {count} 次重办",
    card_transferred="↪️ 已转办至 {department}，本卡片不再更新。",
    card_pending_transfer="⏳ 退单申请待营商环境办审核",
    card_pending_extension="⏳ 延期申请（{days} 个工作日）待营商环境办审核",
    card_closed_note="本工单已结束，按钮已收起。",
    card_history="<b>此前的沟通</b>（随工单转来，共 {count} 条）：",
    card_history_line="· {who}：{text}",
    card_history_enterprise="企业",
    card_history_file="📎附件（见下方）",
    card_history_earlier="（更早的 {count} 条未显示，管理员可用 /ticket {number} 查看完整记录）",
    card_reply_hint="💬 回复本卡片的消息将转给企业；回复其他提示不会。",
    btn_accept="✅ 签收",
    btn_ask_info="❓ 需补充材料",
    btn_transfer="↪️ 转办/退单",
    btn_extension="⏱ 申请延期",
    btn_resolve="🏁 办结",
    btn_reject="✖️ 驳回",
    btn_approve="✅ 批准",
    transfer_reasons={
        "not_ours": "不属于本部门职责",
        "wrong_area": "属地不符",
        "overlap": "职能交叉",
        "other": "其他（填写原因）",
    },
    ask_transfer_reason="工单 {number}：请选择退单原因。",
    ask_transfer_other="工单 {number}：请回复本消息，写明退单原因。",
    ask_extension_days="工单 {number}：需要延期几个工作日？",
    ask_extension_reason="工单 {number}：申请延期 {days} 个工作日，请回复本消息写明原因。",
    ask_resolution="工单 {number}：请回复本消息写明办理结果，原文将转给企业。",
    # --- 同类诉求 / common problems (issue 16)
    card_common="🔗 另有 {count} 家企业反映同类问题：{tickets}",
    card_common_item="{number}（{status}）",
    card_common_more="等 {count} 件",
    card_common_raised="📌 已列为共性问题",
    card_common_leads="⭐ 本部门牵头办理此共性问题",
    card_common_lead="牵头部门：{department}",
    btn_together="📣 一并答复",
    btn_unlink="移出同类",
    ask_common_reply=(
        "工单 {number}：请回复本消息写明答复。同类诉求中本部门承办的"
        " {count} 件工单（{numbers}）将一并收到这条答复，每"
        "家企业各自收到、各自评价。"
    ),
    common_answered="✅ 已一并答复 {count} 件工单：{numbers}",
    common_raised=(
        "📌 <b>共性问题</b>：{count} 家企业在 {days} "
        "天内反映同类问题\n{summary}\n涉及部门：{departm"
        "ents}\n工单：{numbers}\n建议牵头部门：{propo"
        "sed}"
    ),
    common_no_department="（尚未分派）",
    btn_common_confirm="✅ 确认由{department}牵头",
    btn_common_other="改由{department}牵头",
    common_lead_told=(
        "⭐ 营商环境办确定由本部门牵头办理一个共性问题（{count} 家企业反映）：\n"
        "{summary}\n工单：{numbers}"
    ),
    common_lead_confirmed="已确定由{department}牵头办理共性问题：{summary}",
    common_lead_done="已确定由{department}牵头。",
    repeat_offer=(
        "您已有一件类似的诉求 {number}（{status}）正在办理。\n"
        "要把这次写的内容补充到 {number} 吗？如果是另一件事，也可以仍然新建。"
    ),
    btn_repeat_add="补充到 {number}",
    btn_repeat_new="仍然新建",
    link_usage="用法：/link 工单编号 目标工单编号（把前一件列入后一件的同类诉求）",
    unlink_usage="用法：/unlink 工单编号（把工单移出同类诉求）",
    lead_usage="用法：/lead 工单编号 部门代码（确定该工单所在共性问题的牵头部门）",
    common_linked_done="已将 {number} 列入与 {target} 同类的诉求。",
    common_unlinked_done="已将 {number} 移出同类诉求，今后不再自动归入。",
    # --- end of 同类诉求
    ask_question="工单 {number}：请回复本消息写明需要企业补充什么，原文将转给企业。",
    ask_reject_reason="{number}：请回复本消息写明驳回理由，将告知申请部门。",
    prompt_placeholder="在这里输入…",
    relayed_ok="✅ 已转给企业",
    staff_refusals={
        "not_bound": "这张工单不归本群所在部门办理，操作未执行。",
        "anonymous": "请以个人身份操作（关闭“匿名管理员”后再试），操作未执行。",
        "not_staff": "您不在本部门的办理人员名单中，操作未执行；需要请联系管理员。",
        "state": "工单 {number} 现在是「{status}」，这个操作已不适用。",
        "stale": "这个按钮已经过期了。",
        # 同类诉求 / common problems (issue 16)
        "common_not_linked": "工单 {number} 不在同类诉求中。",
        "common_same": "不能把工单和它自己关联。",
        "common_not_linkable": "作风问题工单和已撤回的工单不归入同类诉求。",
        "common_same_enterprise": "两件工单来自同一家企业：请让企业用“补充信息”，不归入同类诉求。",
        "common_already": "工单 {number} 已在这组同类诉求中。",
        "common_nothing_together": "这组同类诉求中没有其他可由本部门一并答复的工单了。",
        "dispatcher_only": "只有营商环境办的成员或管理员可以审核。",
        "not_member": "只有本群的现任成员才能办理工单，操作未执行。",
        "muted": "您在本群已被禁言，不能代表本群办理工单，操作未执行。",
        "membership_unknown": "暂时无法确认您是否为本群成员，操作未执行，请稍后再试。",
        "transfer_reasons": (
            "这条提示要点上面的按钮选择退单原因（要写原因请点「其他（填写原因）」）。"
            "您的回复没有发给企业；要答复企业，请回复工单 {number} 的卡片。"
        ),
        "extension_days": (
            "这条提示要点上面的按钮选择延期天数。"
            "您的回复没有发给企业；要答复企业，请回复工单 {number} 的卡片。"
        ),
        "internal": (
            "这是受理台的内部消息，对它的回复不会发给企业。要答复企业，请回复工单 {number} 的卡片。"
        ),
        "unmatched": (
            "没能确定这条回复是关于哪张工单的，没有发给企业。"
            "要答复企业，请回复工单卡片；按钮弹出的提示，请直接回复那条提示消息。"
        ),
        "conduct_transfer": (
            "工单 {number} 是作风问题工单，承办部门不能申请转办，以免转到被反映的人手里；"
            "如确需改派，请联系营商环境办。"
        ),
        "conduct_excluded": (
            "工单 {number} 是作风问题工单，不能交给它反映的部门或该类别的主管部门"
            "（投诉人会暴露给被反映的人），操作未执行。"
        ),
    },
    reply_not_relayed_closed="工单 {number} 已是「{status}」，这条消息没有转给企业。",
    transfer_request=(
        "↪️ <b>退单申请</b> {number}\n"
        "<b>申请部门</b>：{department}（{who}）\n"
        "<b>原因</b>：{reason}\n\n"
        "批准请选择改派的部门，或点「驳回」。\n\n{card}"
    ),
    extension_request=(
        "⏱ <b>延期申请</b> {number}\n"
        "<b>申请部门</b>：{department}（{who}）\n"
        "<b>延期</b>：{days} 个工作日（办结时限 {old_due} → {new_due}）\n"
        "<b>原因</b>：{reason}"
    ),
    transfer_approved_old="↪️ 退单已批准：工单 {number} 已改派 {department}。",
    transfer_rejected_dept="✖️ 退单申请被驳回，请继续办理工单 {number}。理由：{reason}",
    extension_approved_dept="✅ 延期已批准：工单 {number} 办结时限延至 {due}。",
    extension_rejected_dept="✖️ 延期申请被驳回，工单 {number} 办结时限不变（{due}）。理由：{reason}",
    request_decided="{decision}（{who}）",
    reopened_dept=(
        "🔁 企业对工单 {number} 的办理结果不满意（{rating}），请重办。新的办结时限：{due}。"
    ),
    reopened_dispatch="🔁 工单 {number}（{department}）因差评重办，第 {count} 次。",
    reopen_limit_dispatch=(
        "⚠️ 工单 {number} 已重办 {count} 次，企业仍不满意（{rating}），请营商环境办处理。"
    ),
    enterprise_says="💬 企业回复 {number}：\n{text}",
    enterprise_sends_file="💬 企业为 {number} 发来附件（见下方）。",
    enterprise_comment_dept="💬 企业对 {number} 的评价意见：{text}",
    unknown_group=(
        "您好！我是{desk}的机器人，只在已绑定的部门群里工作。"
        "如需绑定，请受理台管理员在本群发送 /bind 部门代码。"
    ),
    unbind_ok="已解除绑定：本{place}不再接收「{department}」的工单，新的工单会先保留，重新绑定后送达。",
    unbind_none="本群（话题）没有绑定任何部门。",
    ticket_admin=(
        "<b>{number}</b>（{kind}） · {status}\n"
        "<b>类别</b>：{category}\n"
        "<b>承办部门</b>：{department}\n"
        "<b>企业</b>：{company}　<b>信用代码</b>：{uscc}\n"
        "<b>联系人</b>：{contact}，{phone}　<b>Telegram</b>：{telegram}\n"
        "<b>部门可见</b>：{visibility}\n"
        "<b>签收</b>：{accepted}　<b>首次答复</b>：{first_reply}\n"
        "<b>时限</b>：签收 {accept_due} · 首次答复 {first_reply_due} · 办结 {resolve_due}\n"
        "<b>评价</b>：{rating}　<b>重办</b>：{reopens} 次\n"
        "<b>情况</b>：{description}\n\n"
        "<b>审计记录</b>\n{trail}"
    ),
    ticket_usage="用法：/ticket 工单号，例如 /ticket GX-20261127-0001",
    ent_accepted="📥 您的工单 {number} 已由{department}签收，正在办理。",
    ent_relay="【{department}】{text}\n\n（工单 {number}，直接回复本消息即可继续沟通）",
    ent_question=(
        "❓【{department}】需要您补充材料（工单 {number}）：\n{text}\n\n"
        "请直接回复本消息（可发文字、照片或文件）。"
    ),
    ent_resolved=(
        "🏁【{department}】工单 {number} 已办结：\n{text}\n\n"
        "欢迎对这次办理作出好差评，满意与否都请如实评价："
    ),
    ent_transferred="↪️ 您的工单 {number} 已转由{department}办理。",
    ent_extension="⏱ 工单 {number} 经批准延期，办结时限调整为 {due}。原因：{reason}",
    ent_thanks="谢谢您的评价！工单 {number} 已关闭。",
    ent_reopened="收到，已安排{department}重新办理工单 {number}，新的办结时限：{due}。",
    ent_reopen_limit="收到，工单 {number} 已交营商环境办直接督办，我们会尽快联系您。",
    ent_ask_comment="愿意的话，请回复本消息说说您的意见（可选）。",
    ent_comment_saved="谢谢，您的意见已记录并转给承办部门。",
    ent_info_forwarded="已转给承办部门 ✅",
    ent_added_to_ticket=(
        "已补充到工单 {number} ✅ 承办部门会收到。\n如果这是另一个新问题，请点下方按钮另起工单。"
    ),
    btn_new_problem="这是新问题，另起工单",
    ent_split_off="好的，这条已从工单 {number} 移出，我们为它新建了一份工单草稿。",
    ent_split_off_blocked=(
        "您还有一份没提交的工单草稿，这条先留在工单 {number} 里。"
        "请先提交那份草稿（点菜单「我要投诉」继续），再点「这是新问题，另起工单」。"
    ),
    dept_info_taken_back=(
        "↩️ 企业说明：刚才补充到工单 {number} 的一条（{what}）是另一个新问题，已另起工单，"
        "不属于本工单。"
    ),
    dept_taken_back_file="附件",
    ent_ticket_over="工单 {number} 已经结束（{status}）。如有新情况，请提交新工单。",
    ratings={5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"},
    clock_names={"accept": "签收", "first_reply": "首次答复", "resolve": "办结"},
    # One wording system (docs/reminders.md): 临期提醒 before a deadline, 催办 after it, 督办
    # to the office; each counts tickets and gives each ticket one line.
    chase_due_header="⏳ <b>{department}</b> 临期提醒：{count} 张工单即将到期",
    chase_overdue_header="⏰ <b>{department}</b> 催办：{count} 张工单已超期",
    chase_ticket="• {number} · {category} · {subject}{company}\n　{clauses}",
    chase_company="（{company}）",
    escalation_header="🚨 <b>督办</b>：{count} 张工单超期未办，请协调督促",
    escalation_ticket="• {number} · {department} · {category} · {subject}{company}\n　{clauses}",
    clause_due="{clocks}还剩 {time}",
    clause_overdue="{clocks}已超期 {time}",
    clause_join="；",
    duration_under_hour="不到 1 个工作小时",
    duration_hours="{n} 个工作小时",
    duration_days="{n} 个工作日",
    card_overdue="⚠️ {clock}已超期 {time}",
    ent_auto_closed=(
        "工单 {number} 办结后 {days} 天没有收到评价，已自动关闭。如仍有问题，欢迎随时提交新工单。"
    ),
    calendar_missing=(
        "⚠️ 工作日历没有 {year} 年的节假日安排，暂按“周末和法定固定节日休息”计算时限。"
        "请在配置 [sla] 的 extra_holidays / extra_workdays 中补充，或升级 chinesecalendar。"
    ),
    summary_usage="用法：/summary [周]，例如 /summary 2026-W48；不写则为上一整周。",
    command_descriptions={
        "start": "打开菜单 · 我要投诉/办事",
        "my": "我的工单",
        "cancel": "退出当前填写",
        "lang": "切换语言 / Language",
        "help": "帮助与隐私说明",
        "bind": "绑定本群（话题）到部门",
        "unbind": "解除本群绑定",
        "departments": "部门与绑定情况",
        "assign": "分派工单",
        "ticket": "工单详情与审计记录",
        "summary": "每周通报：超期与高频诉求",
        "link": "列入同类诉求（/link 工单 目标工单）",
        "unlink": "移出同类诉求（/unlink 工单）",
        "block": "暂停某企业用户使用受理台",
        "unblock": "恢复某企业用户使用受理台",
    },
    # Delivery faults
    delivery_purposes={
        "ack": "受理回执",
        "card": "工单卡片",
        "dispatch": "待分派工单卡片",
        "overflow": "工单全文（续）",
        "evidence": "证据材料",
        "relay": "转达的消息",
        "resolution": "办结答复",
        "question": "补充材料请求",
        "enterprise_reply": "企业的回复",
        "info": "企业补充的材料",
        "reminder": "催办与临期提醒",
        "escalation": "督办通知",
        "weekly": "每周超期通报",
        "weekly_list": "部门超期清单",
        "notice": "通知",
        "assigned": "分派通知",
        "accepted": "签收通知",
        "transferred": "转办通知",
        "transfer_request": "退单申请",
        "extension_request": "延期申请",
        "extension": "延期通知",
        "decision": "审批结果",
        "rated": "评价通知",
        "auto_closed": "自动关闭通知",
        "ask_comment": "留言邀请",
        "ask_reject_reason": "驳回理由询问",
        "calendar": "工作日历提醒",
        # 同类诉求 / common problems (issue 16)
        "common_problem": "共性问题提示",
        "ask_common_reply": "一并答复的询问",
    },
    delivery_of_ticket="（工单 {number}）",
    delivery_to_enterprise="企业",
    delivery_uncertain=(
        "⚠️ <b>投递结果不确定</b>\n"
        "{what}发往{target}时，Telegram 没有及时答复：可能已经送达，也可能没有。"
        "为避免重复，系统不会自动重发。\n"
        "请核实；需要时在服务器上补发：<code>dianxiaoer outbox resend {id}</code>"
    ),
    delivery_failed=(
        "⚠️ <b>消息无法送达</b>\n{what}发往{target}失败：{error}\n"
        "不会自动重试。处理原因后可补发：<code>dianxiaoer outbox resend {id}</code>"
    ),
    delivery_unreachable_department=(
        "⚠️ 工单 {number} 的企业已屏蔽本机器人，部门的消息暂时无法通过本渠道送达企业。"
        "工单照常办理；如需联系企业，请联系营商环境办。"
    ),
    delivery_unreachable_desk=(
        "⚠️ <b>企业无法联系</b>：工单 {number} 的企业已屏蔽本机器人，{what}未能送达。"
        "工单已保留，照常办理；请通过电话等其他渠道联系企业。"
        "企业恢复后可补发：<code>dianxiaoer outbox resend {id}</code>"
    ),
    delivery_group_lost=(
        "⚠️ <b>机器人已不在「{department}」的群里</b>（{reason}）。\n"
        "该部门的通知已暂停保存（{held} 条待发），不会丢失。请把机器人重新拉进群，"
        "再由管理员在群里发送 <code>/bind {code}</code>，暂停的通知会随即补发。"
    ),
    delivery_removed="被 {name} 移出",
    delivery_removed_anonymous="被移出群",
    # Bad input and abuse
    file_outside_ticket=(
        "收到附件 📎，不过它还不属于任何工单，所以没有保存。\n"
        "• 提交新工单：先点「我要投诉」或「我要办事/提诉求」，说情况时再发附件；\n"
        "• 补充到已有工单：发送 /my，打开工单点「补充信息」后再发。"
    ),
    evidence_full=(
        "附件最多 {count} 个，这个没有收下。说完了请点「下一步」；"
        "更多材料可以在提交后通过 /my「补充信息」发送。"
    ),
    edit_not_applied=(
        "您修改了一条已发送的消息。修改不会改变已提交的内容，承办部门看到的仍是原来的版本。"
        "如需更正或补充，请发送 /my，打开工单点「补充信息」。"
    ),
    edit_not_applied_filing=(
        "您修改了一条已发送的消息。修改不会更新草稿里已记下的内容："
        "请直接再发一条补充，或在确认页点「改情况描述」重新填写。"
    ),
    edit_in_group="修改不会同步给企业，企业收到的仍是原来的内容。如需更正，请再回复一条。",
    unsupported_in_group="这类消息无法转给企业（可以转文字、照片、文件、视频和语音），没有转发。",
    assign_not_now="工单 {number} 现在是「{status}」，不能分派。",
    ticket_limit=(
        "您 24 小时内已提交 {count} 张工单，达到了每日上限 🙏 {until} 起可以再提交新工单。"
        "已提交的工单都照常办理，可以发送 /my 查看进度、补充材料。"
    ),
    ticket_limit_submit=(
        "您 24 小时内已提交 {count} 张工单，达到了每日上限 🙏 这份草稿已保存，"
        "{until} 起再点「✅ 提交」即可。已提交的工单都照常办理。"
    ),
    rate_limited=(
        "您发消息有点快了 🙏 为了让每家企业都能及时得到答复，请在 {until} 之后再发。"
        "在此之前发的消息不会被记录，到时请重新发送。"
    ),
    blocked_user=(
        "抱歉，您的账号已被暂停使用本受理台，发送的内容不会被受理。如有疑问，请联系营商环境办。"
    ),
    block_usage="用法：/block 用户ID或工单号 [原因]，例如 /block GX-20261127-0001 反复发送无关内容",
    unblock_usage="用法：/unblock 用户ID或工单号，例如 /unblock GX-20261127-0001",
    block_done="🚫 已暂停{who}使用受理台，已提交的工单保留。{reason}",
    block_already="{who}已经是暂停状态。",
    unblock_done="✅ 已恢复{who}使用受理台。",
    unblock_not_blocked="{who}没有被暂停。",
    block_admin_refused="受理台管理员不能被暂停。",
    block_who_user="用户 {user_id} ",
    block_who_ticket="工单 {number} 的提交人",
    block_who_ticket_revealed="工单 {number} 的提交人（用户 {user_id}）",
    block_reason="原因：{reason}",
    generic_error="抱歉，刚才出了点小问题，您发的内容没有丢失。请稍后再试一次。",
    stale_button="这个按钮已经过期了，请重新操作。",
    unsupported_message=(
        "暂时只能接收文字、照片、文件、视频和语音哦。贴纸、位置、投票、名片等请改用文字说明。"
    ),
    unknown_command="没有这个命令。可以用 /start 打开菜单，/my 查看工单，/help 看说明。",
    private_only="请私聊我提交或查看工单，保护您的隐私。",
    report_title="📊 <b>每周超期通报</b> {week}（{start} 至 {end}）",
    report_as_of="数据截至 {now}",
    report_totals=(
        "<b>全区合计</b>\n"
        "受理 {received} 件｜签收及时率 {accept}｜首次答复及时率 {reply}\n"
        "办结 {resolved} 件｜按时办结率 {resolve}\n"
        "当前超期 {overdue} 件{oldest}\n"
        "满意率 {satisfaction}（评价 {rated} 次，差评 {bad} 次）"
    ),
    report_oldest="，最久 {time}",
    report_departments_heading="<b>各部门</b>",
    report_department_line=(
        "• <b>{name}</b>：受理 {received}｜签收 {accept}｜答复 {reply}｜"
        "办结 {resolved}，按时 {resolve}｜超期 {overdue}｜满意 {satisfaction}｜差评 {bad}"
    ),
    report_quiet_departments="另有 {count} 个部门本周无工单、无超期。",
    report_overdue_heading="⏰ <b>超期最久的工单</b>（共 {count} 件）",
    report_overdue_line="• {number} · {department} · {clauses}",
    report_overdue_more="…… 另有 {count} 件，详见附件表格。",
    report_no_overdue="✅ 目前没有超期工单。",
    report_department_list="📅 <b>{department}</b> 每周超期清单（截至 {now}，共 {count} 张）：",
    report_department_item="• {number} · {clauses}",
    report_cut="……（内容较长，完整数据见附件表格）",
    report_clock_join="、",
    report_unassigned="未分派",
    report_total_row="合计",
    report_sheet_summary="汇总",
    report_sheet_overdue="超期明细",
    report_summary_columns=(
        "部门",
        "受理",
        "应签收",
        "按时签收",
        "签收及时率",
        "应答复",
        "按时答复",
        "首次答复及时率",
        "办结",
        "按时办结",
        "按时办结率",
        "当前超期（件）",
        "签收超期",
        "首次答复超期",
        "办结超期",
        "最久超期（工作日）",
        "评价",
        "满意",
        "满意率",
        "差评",
    ),
    report_overdue_columns=(
        "工单编号",
        "承办部门",
        "超期环节",
        "时限",
        "超期（工作小时）",
        "超期（工作日）",
        "当前状态",
        "提交时间",
    ),
    report_chart_title="{week} 谁超期了、超期多久",
    report_chart_received="本周受理 {received} 件，办结 {resolved} 件",
    report_chart_replies="签收及时 {accept}　答复及时 {reply}",
    report_chart_resolve="按时办结 {resolve}　满意率 {satisfaction}",
    report_chart_overdue_total="当前超期 {count} 张，最久 {time}",
    report_chart_nothing_overdue="当前没有超期工单",
    report_chart_overdue="当前超期（按部门排序）",
    report_chart_overdue_row="{count} 张 · 最久 {time}",
    report_chart_none_overdue="无超期",
    report_chart_rates="本周按时率",
    report_chart_rates_note="“—” 表示本周没有到期的工单（不是 0%）",
    report_chart_nothing="本周没有需要统计的工单",
    report_department_oldest="（最久 {time}）",
    # --- 高频诉求 / recurring problems (issue 16 reports) ---------------------------------
    recurring_heading="🔁 <b>高频诉求</b>（{min} 家及以上企业反映的同类问题，按企业数排序）",
    recurring_week="<b>本周</b>（{start} 至 {end} 提交）：",
    recurring_recent="<b>近 {weeks} 周</b>（{start} 至 {end} 提交）：",
    recurring_since=(
        "🔁 <b>高频诉求</b> {start} 至 {end} 提交（{min} 家及以上企业反映，按企业数排序）"
    ),
    recurring_line=(
        "{rank}. {summary}\n"
        "   {enterprises} 家企业 · {tickets} 件｜{departments}｜{status}{lead}｜{span}"
    ),
    recurring_status_open="处理中 {count}",
    recurring_status_settled="已办结 {count}",
    recurring_status_join=" / ",
    recurring_departments_join="、",
    recurring_departments_more=" 等 {count} 个部门",
    recurring_lead="｜牵头：{department}",
    recurring_proposed_lead="｜已列为共性问题，建议牵头：{department}（待确认）",
    recurring_raised="｜已列为共性问题",
    recurring_span_open="已持续 {time}",
    recurring_span_settled="历时 {time}，已全部办结",
    recurring_none="🔁 高频诉求：本周及近 {weeks} 周没有 {min} 家及以上企业反映的同类问题。",
    recurring_none_in_window="（无）",
    recurring_more="…… 另有 {count} 个，详见附件表格「高频诉求」。",
    recurring_sheet="高频诉求",
    recurring_sheet_title="高频诉求：{min} 家及以上企业反映的同类问题（{as_of}）",
    recurring_columns=(
        "范围",
        "排名",
        "问题概要",
        "企业数",
        "工单数",
        "涉及部门",
        "处理中",
        "已办结",
        "牵头部门",
        "已列为共性问题",
        "首次反映",
        "持续（工作日）",
        "仍在处理",
    ),
    recurring_scope_week="本周",
    recurring_scope_recent="近 {weeks} 周",
    recurring_yes="是",
    recurring_no="否",
    recurring_chart_title="高频诉求（近 {weeks} 周）",
    recurring_chart_row="{enterprises} 家企业 · {tickets} 件 · 处理中 {open}",
    recurring_chart_settled_row="{enterprises} 家企业 · {tickets} 件 · 已全部办结",
    chat_places={"group": "群", "topic": "话题"},
)
