"""English texts. Same voice: warm, brief, plain."""

from __future__ import annotations

from bot.texts.catalog import Texts

EN = Texts(
    menu_complaint="📝 File a complaint",
    menu_request="🙋 Service request",
    menu_my="📂 My tickets",
    menu_help="ℹ️ Help & privacy",
    greeting=(
        "Hello{name}! This is {desk} — your business is our business 🤝\n"
        "Red tape, unfair fees, promised subsidies not paid, someone asking for favours… "
        "tell us here.\n"
        "We answer every call: your case is logged at once, sent to the department in "
        "charge, and answered on time.\n"
        "Pick an item from the menu below to start."
    ),
    help=(
        "<b>How it works</b>\n"
        "• “File a complaint” / “Service request”: answer a few questions, about 2 minutes.\n"
        "• “My tickets” or /my: follow progress, add information, withdraw.\n"
        "• /cancel: leave at any step; what you typed is kept as a draft.\n"
        "• /lang: switch 中文 / English.\n\n"
        "<b>Privacy</b>\n"
        "• Only the business-environment office sees your Telegram account; it never "
        "appears in a department's group.\n"
        "• You decide whether the department may see your company name and contact.\n"
        "• Complaints about officials' conduct go straight to the discipline office, never "
        "to the department complained about.\n"
        "• Photos and files are copied to the department without showing who sent them."
    ),
    kind_names={"complaint": "complaint", "request": "request"},
    status_names={
        "submitted": "submitted",
        "unrouted": "awaiting dispatch",
        "assigned": "assigned",
        "accepted": "accepted",
        "waiting_info": "waiting for your information",
        "transfer_requested": "transfer under review",
        "extension_requested": "extension under review",
        "resolved": "resolved",
        "closed": "closed",
        "withdrawn": "withdrawn",
    },
    event_names={
        "submitted": "{kind} submitted",
        "routed": "sent to {department}",
        "unrouted": "passed to the business-environment office for dispatch",
        "assigned": "dispatched to {department}",
        "withdrawn": "withdrawn by you",
        "info_added": "information added",
    },
    ask_category="Which category fits your {kind}?",
    ask_description=(
        "Tell us what happened, which department or matter it concerns, and what you "
        "would like done.\nYou can send photos or files as evidence too (several are fine)."
    ),
    description_saved=(
        "Noted ✅ ({chars} characters, {files} attachment(s)).\n"
        "Add more text, photos or files if you like; tap “Next” when you are done."
    ),
    evidence_saved="Attachment received 📎 ({files} in all). Tap “Next” when you are done.",
    need_description_first="Please describe the matter in words first, then tap “Next”.",
    ask_company="What is your company's name?",
    ask_uscc=(
        "Unified social credit code (统一社会信用代码, 18 characters, optional). "
        "Tap “Skip” if you'd rather not."
    ),
    uscc_wrong_length=(
        "That code has {length} characters; a unified social credit code has 18. "
        "Please check it and type it again, or tap “Skip” — your ticket is not affected."
    ),
    uscc_bad_character=(
        "Character {position} (“{char}”) never appears in a unified social credit code "
        "(it uses digits and capital letters except I, O, Z, S, V). "
        "Please check it and type it again, or tap “Skip” — your ticket is not affected."
    ),
    uscc_bad_check=(
        "The check failed: from the first 17 characters the last one should be “{expected}”, "
        "but you typed “{given}” — one character may be mistyped. "
        "Please check it and type it again, or tap “Skip” — your ticket is not affected."
    ),
    uscc_ok="Credit code verified ✅",
    ask_contact_name="Who should we contact?",
    ask_phone=(
        "Contact phone? Tap the button below to share your number, or type it (mobile or landline)."
    ),
    phone_saved="Phone noted: {phone} ✅",
    phone_invalid=(
        "That number looks incomplete. Please type a mobile (e.g. 13800138000) or a "
        "landline (e.g. 0592-5551234)."
    ),
    contact_not_own=(
        "That is someone else's contact. Tap the button to share your own number, or type it."
    ),
    text_expected="This step needs a text answer.",
    ask_consent=(
        "What may the department see?\n"
        "The business-environment office always sees your company and contact; the "
        "department sees only what you allow."
    ),
    visibility={
        "all": "company name and contact person",
        "company": "company name only",
        "none": "nothing (the office passes messages on)",
    },
    summary=(
        "Please check your {kind}:\n"
        "<b>Category</b>: {category}\n"
        "<b>Description</b>: {description}\n"
        "<b>Attachments</b>: {files}\n"
        "<b>Company</b>: {company}\n"
        "<b>Credit code</b>: {uscc}\n"
        "<b>Contact</b>: {contact}, {phone}\n"
        "<b>Department may see</b>: {visibility}"
    ),
    summary_no_uscc="not given",
    submitted=(
        "✅ Received — thank you for trusting us!\n"
        "Ticket number: <b>{number}</b>\n"
        "Department in charge: {department}\n"
        "Our promise: accepted within {accept}, first answer within {first_reply}, "
        "resolved within {resolve} (acceptance due by {accept_due}).\n"
        "Send /my at any time to follow it or add information."
    ),
    submitted_unrouted=(
        "✅ Received — thank you for trusting us!\n"
        "Ticket number: <b>{number}</b>\n"
        "The business-environment office will pick the right department itself and tell "
        "you as soon as it has.\n"
        "Our promise: accepted within {accept}, first answer within {first_reply}, "
        "resolved within {resolve}.\n"
        "Send /my at any time to follow it or add information."
    ),
    already_submitted="This ticket was already submitted ({number}); it is not filed twice.",
    promise_hours="{n} working hour(s)",
    promise_days="{n} working day(s)",
    cancelled=(
        "OK, you have left the form. Tickets you already submitted are not affected; what "
        "you typed is kept as a draft for next time."
    ),
    cancelled_adding_info="OK, stopped adding information. Everything you sent is kept.",
    nothing_to_cancel="There is nothing in progress. Use the menu whenever you need us.",
    draft_found="You have an unsent draft ({kind} · {category}). Continue it or start over?",
    offer_ticket=(
        "Got your message 🙏 Shall we file it as a ticket?\n"
        "It looks like “{category}”; you can change that next."
    ),
    offer_ticket_no_category="Got your message 🙏 Shall we file it as a ticket?",
    offer_declined="OK, not filed. Use the menu whenever you need us.",
    btn_next="Next ➡️",
    btn_skip="Skip",
    btn_reuse_profile="Same as last time: {company}",
    btn_share_phone="📱 Share my phone number",
    btn_submit="✅ Submit",
    btn_edit_description="✏️ Edit description",
    btn_edit_company="✏️ Edit company details",
    btn_edit_category="✏️ Change category",
    btn_cancel="✖️ Not now",
    btn_resume="Continue",
    btn_restart="Start over",
    btn_offer_complaint="File as a complaint",
    btn_offer_request="File as a request",
    btn_offer_no="No, thanks",
    btn_add_info="➕ Add information",
    btn_withdraw="↩️ Withdraw",
    btn_confirm_withdraw="Yes, withdraw",
    btn_keep="Keep it",
    btn_done="✅ Done adding",
    btn_back="⬅️ Back to list",
    my_empty="You have not filed any ticket yet. Use the menu to start.",
    my_header="Your tickets (latest {count}); tap a number for details:",
    my_row="{number} · {category} · {department} · {status} · {updated}",
    ticket_detail=(
        "<b>{number}</b> ({kind})\n"
        "<b>Category</b>: {category}\n"
        "<b>Department</b>: {department}\n"
        "<b>Status</b>: {status}\n"
        "<b>Acceptance due</b>: {accept_due}\n"
        "<b>Resolution due</b>: {resolve_due}\n"
        "<b>Description</b>: {description}"
    ),
    detail_history="<b>History</b>",
    history_row="{at} {what}",
    confirm_withdraw="Withdraw ticket {number}? The department will stop working on it.",
    withdrawn="Ticket {number} is withdrawn. You can file again at any time.",
    cannot_withdraw="Ticket {number} is {status}; it can no longer be withdrawn.",
    ask_add_info=(
        "Send the text, photos or files to add to {number} (as many as you like), then "
        "tap “Done adding”."
    ),
    info_added="Added to ticket {number} ({count} item(s)); the department will receive it.",
    info_added_nothing="Nothing was added; you have left adding information.",
    cannot_add_info=(
        "Ticket {number} is {status}; nothing more can be added. Please file a new ticket "
        "for anything new."
    ),
    unknown_ticket="That ticket was not found.",
    lang_prompt="请选择语言 / Choose your language",
    lang_set="Done — I'll speak English from now on.",
    card=(
        "📋 <b>{kind}</b> {number}\n"
        "<b>Category</b>: {category}\n"
        "<b>Status</b>: {status}\n"
        "<b>Accept by</b>: {accept_due}\n"
        "<b>First answer by</b>: {first_reply_due}\n"
        "<b>Resolve by</b>: {resolve_due}\n"
        "{company}\n"
        "{contact}\n"
        "{uscc}"
        "<b>Description</b>:\n{description}"
        "{evidence}"
    ),
    card_company="<b>Company</b>: {company}",
    card_company_hidden="<b>Company</b>: (not shared; ask the business-environment office)",
    card_contact="<b>Contact</b>: {contact}, {phone}",
    card_contact_hidden="<b>Contact</b>: (not shared)",
    card_uscc="<b>Credit code</b>: {uscc}\n",
    card_evidence="\n\n📎 {count} attachment(s), in the replies below.",
    dispatch_card=(
        "🔀 <b>To dispatch</b>: no rule decided the department; please pick one.\n\n{card}"
    ),
    dispatch_assigned="✅ Dispatched to {department} by {who}.\n\n{card}",
    unrouted_department="business-environment office (dispatching)",
    dept_withdrawn="↩️ Ticket {number} was withdrawn by the enterprise; no further work needed.",
    dept_info_added="➕ Ticket {number}: the enterprise added:\n{text}",
    dept_info_file="➕ Ticket {number}: the enterprise added an attachment (below).",
    enterprise_assigned="📮 Your ticket {number} has been dispatched to {department}.",
    admin_only="Sorry, only the desk's admins can use this command.",
    bind_ok="✅ Bound: this {place} now receives the tickets of “{department}”.",
    bind_usage="Usage: /bind department_code, e.g. /bind {example}\nCodes:\n{codes}",
    bind_unknown="There is no department with code “{code}”. Codes:\n{codes}",
    bind_in_group_only="Please send /bind in the department's group (or topic).",
    departments_header="<b>Departments</b> (code · name · bound chat · open tickets)",
    departments_row="{code} · {name} · {chat} · {open}",
    departments_unbound="not bound",
    assign_refused="Sorry, only the business-environment office or an admin can dispatch.",
    assign_done="Dispatched {number} → {department}",
    assign_usage="Usage: /assign ticket_number department_code",
    generic_error=(
        "Sorry, something went wrong on our side; nothing you sent is lost. "
        "Please try again in a moment."
    ),
    stale_button="That button has expired; please start again.",
    unsupported_message="For now I can take text, photos and files.",
    unknown_command=(
        "Unknown command. /start opens the menu, /my lists your tickets, /help explains."
    ),
    private_only="Please message me privately to file or view tickets; it protects your privacy.",
)
