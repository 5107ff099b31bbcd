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
    event_names: dict[str, str]
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
    dispatch_card: str
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
    bind_in_group_only: str
    departments_header: str
    departments_row: str
    departments_unbound: str
    assign_refused: str
    assign_done: str
    assign_usage: str
    # Errors and odd input
    generic_error: str
    stale_button: str
    unsupported_message: str
    unknown_command: str
    private_only: str
