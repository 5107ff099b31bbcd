"""The shape of a text catalogue: one field per sentence the desk says."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Texts:
    # Main menu (persistent reply keyboard) and greetings
    menu_complaint: str
    menu_request: str
    menu_my: str
    menu_help: str
    greeting: str
    help: str
    kind_names: dict[str, str]
    status_names: dict[str, str]
    event_names: dict[str, str]  # by bot.core.lifecycle.Action value
    event_codes: dict[str, str]
    # Filing a ticket
    ask_category: str
    ask_description: str
    description_saved: str
    evidence_saved: str
    need_description_first: str
    ask_company: str
    ask_uscc: str
    uscc_wrong_length: str
    uscc_bad_character: str
    uscc_bad_check: str
    uscc_ok: str
    ask_contact_name: str
    ask_phone: str
    phone_saved: str
    phone_invalid: str
    contact_not_own: str
    text_expected: str
    ask_consent: str
    visibility: dict[str, str]
    summary: str
    # The conduct question, asked once before submitting when the text only hints at it
    conduct_question: str
    btn_conduct_yes: str
    btn_conduct_no: str
    conduct_answers: dict[str, str]
    summary_no_uscc: str
    submitted: str
    submitted_unrouted: str
    already_submitted: str
    promise_hours: str
    promise_days: str
    cancelled: str
    cancelled_adding_info: str
    nothing_to_cancel: str
    draft_found: str
    offer_ticket: str
    offer_ticket_no_category: str
    offer_declined: str
    # Buttons
    btn_next: str
    btn_skip: str
    btn_reuse_profile: str
    btn_share_phone: str
    btn_submit: str
    btn_edit_description: str
    btn_edit_company: str
    btn_edit_category: str
    btn_cancel: str
    btn_resume: str
    btn_restart: str
    btn_offer_complaint: str
    btn_offer_request: str
    btn_offer_no: str
    btn_add_info: str
    btn_withdraw: str
    btn_confirm_withdraw: str
    btn_keep: str
    btn_done: str
    btn_back: str
    # My tickets
    my_empty: str
    my_header: str
    my_row: str
    ticket_detail: str
    detail_history: str
    history_row: str
    confirm_withdraw: str
    withdrawn: str
    cannot_withdraw: str
    ask_add_info: str
    info_added: str
    info_added_nothing: str
    cannot_add_info: str
    unknown_ticket: str
    # Language
    lang_prompt: str
    lang_set: str
    # Department and dispatcher chats
    card: str
    card_company: str
    card_company_hidden: str
    card_contact: str
    card_contact_hidden: str
    card_uscc: str
    card_evidence: str
    unanchored_label: str
    dispatch_card: str
    dispatch_card_ranked: str
    dispatch_choice: str
    card_conduct: str
    dispatch_assigned: str
    unrouted_department: str
    dept_withdrawn: str
    dept_info_added: str
    dept_info_file: str
    enterprise_assigned: str
    # Admin
    admin_only: str
    bind_ok: str
    bind_usage: str
    bind_unknown: str
    #: What /bind and /unbind call the chat: a forum topic or a whole group.
    bind_in_group_only: str
    departments_header: str
    departments_row: str
    departments_unbound: str
    assign_refused: str
    assign_done: str
    assign_usage: str
    # Department work (group side)
    card_accepted: str
    card_last_reply: str
    card_waiting: str
    card_resolution: str
    card_rating: str
    card_reopened: str
    card_transferred: str
    card_pending_transfer: str
    card_pending_extension: str
    card_closed_note: str
    card_reply_hint: str
    card_history: str
    card_history_line: str
    card_history_enterprise: str
    card_history_file: str
    card_history_earlier: str
    btn_accept: str
    btn_ask_info: str
    btn_transfer: str
    btn_extension: str
    btn_resolve: str
    btn_reject: str
    btn_approve: str
    transfer_reasons: dict[str, str]
    ask_transfer_reason: str
    ask_transfer_other: str
    ask_extension_days: str
    ask_extension_reason: str
    ask_resolution: str
    ask_question: str
    # --- 同类诉求 / common problems (issue 16)
    card_common: str
    card_common_item: str
    card_common_more: str
    card_common_raised: str
    card_common_leads: str
    card_common_lead: str
    btn_together: str
    btn_unlink: str
    ask_common_reply: str
    common_answered: str
    common_raised: str
    common_no_department: str
    btn_common_confirm: str
    btn_common_other: str
    common_lead_told: str
    common_lead_confirmed: str
    common_lead_done: str
    repeat_offer: str
    btn_repeat_add: str
    btn_repeat_new: str
    link_usage: str
    unlink_usage: str
    lead_usage: str
    common_linked_done: str
    common_unlinked_done: str
    # --- end of 同类诉求
    ask_reject_reason: str
    prompt_placeholder: str
    relayed_ok: str
    staff_refusals: dict[str, str]
    reply_not_relayed_closed: str
    transfer_request: str
    extension_request: str
    transfer_approved_old: str
    transfer_rejected_dept: str
    extension_approved_dept: str
    extension_rejected_dept: str
    request_decided: str
    reopened_dept: str
    reopened_dispatch: str
    reopen_limit_dispatch: str
    enterprise_says: str
    enterprise_sends_file: str
    enterprise_comment_dept: str
    unknown_group: str
    unbind_ok: str
    unbind_none: str
    ticket_admin: str
    ticket_usage: str
    # Department work (enterprise side)
    ent_accepted: str
    ent_relay: str
    ent_question: str
    ent_resolved: str
    ent_transferred: str
    ent_extension: str
    ent_thanks: str
    ent_reopened: str
    ent_reopen_limit: str
    ent_ask_comment: str
    ent_comment_saved: str
    ent_info_forwarded: str
    ent_added_to_ticket: str
    btn_new_problem: str
    ent_split_off: str
    ent_split_off_blocked: str
    dept_info_taken_back: str
    dept_taken_back_file: str
    ent_ticket_over: str
    ratings: dict[int, str]
    # The chaser
    clock_names: dict[str, str]
    chase_due_header: str
    chase_overdue_header: str
    chase_ticket: str
    chase_company: str
    escalation_header: str
    escalation_ticket: str
    clause_due: str
    clause_overdue: str
    clause_join: str
    duration_under_hour: str
    duration_hours: str
    duration_days: str
    card_overdue: str
    ent_auto_closed: str
    calendar_missing: str
    summary_usage: str
    # Command menus (per audience; descriptions shown by Telegram)
    command_descriptions: dict[str, str]
    # Delivery faults
    delivery_purposes: dict[str, str]
    delivery_of_ticket: str
    delivery_to_enterprise: str
    delivery_uncertain: str
    delivery_failed: str
    delivery_unreachable_department: str
    delivery_unreachable_desk: str
    delivery_group_lost: str
    delivery_removed: str
    delivery_removed_anonymous: str
    # Bad input and abuse
    file_outside_ticket: str
    evidence_full: str
    edit_not_applied: str
    edit_not_applied_filing: str
    edit_in_group: str
    unsupported_in_group: str
    assign_not_now: str
    ticket_limit: str
    ticket_limit_submit: str
    rate_limited: str
    blocked_user: str
    block_usage: str
    unblock_usage: str
    block_done: str
    block_already: str
    unblock_done: str
    unblock_not_blocked: str
    block_admin_refused: str
    block_who_user: str
    block_who_ticket: str
    block_who_ticket_revealed: str
    block_reason: str
    # Errors and odd input
    generic_error: str
    stale_button: str
    unsupported_message: str
    unknown_command: str
    private_only: str
    # Weekly overdue summary (每周超期通报), bot/reports/report.py
    report_title: str
    report_as_of: str
    report_totals: str
    report_oldest: str
    report_departments_heading: str
    report_department_line: str
    report_quiet_departments: str
    report_overdue_heading: str
    report_overdue_line: str
    report_overdue_more: str
    report_no_overdue: str
    report_department_list: str
    report_department_item: str
    report_cut: str
    report_clock_join: str
    report_unassigned: str
    report_total_row: str
    report_sheet_summary: str
    report_sheet_overdue: str
    report_summary_columns: tuple[str, ...]
    report_overdue_columns: tuple[str, ...]
    report_chart_title: str
    report_chart_received: str
    report_chart_replies: str
    report_chart_resolve: str
    report_chart_overdue_total: str
    report_chart_nothing_overdue: str
    report_chart_overdue_row: str
    report_chart_none_overdue: str
    report_chart_rates_note: str
    report_chart_rates: str
    report_chart_overdue: str
    report_chart_nothing: str
    report_department_oldest: str
    # --- 高频诉求 / recurring problems (issue 16 reports): bot/reports/report.py, the CLI's
    # `report common`; docs/recurring-problems.md
    recurring_heading: str
    recurring_week: str
    recurring_recent: str
    recurring_since: str
    recurring_line: str
    recurring_status_open: str
    recurring_status_settled: str
    recurring_status_join: str
    recurring_departments_join: str
    recurring_departments_more: str
    recurring_lead: str
    recurring_proposed_lead: str
    recurring_raised: str
    recurring_span_open: str
    recurring_span_settled: str
    recurring_none: str
    recurring_none_in_window: str
    recurring_more: str
    recurring_sheet: str
    recurring_sheet_title: str
    recurring_columns: tuple[str, ...]
    recurring_scope_week: str
    recurring_scope_recent: str
    recurring_yes: str
    recurring_no: str
    recurring_chart_title: str
    recurring_chart_row: str
    recurring_chart_settled_row: str
    chat_places: dict[str, str]  # where /bind and /unbind act: "group" or "topic"
