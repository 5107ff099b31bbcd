"""English texts. Same voice: warm, brief, plain."""

from __future__ import annotations

from bot.render.texts.catalog import Texts

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
        "submitted": "received",
        "unrouted": "waiting for the desk to choose a department",
        "assigned": "sent to the department",
        "accepted": "being handled by the department",
        "waiting_info": "waiting for your information",
        "transfer_requested": "transfer under review",
        "extension_requested": "extension under review",
        "resolved": "resolved",
        "closed": "closed",
        "withdrawn": "withdrawn",
    },
    event_names={
        "submit": "{kind} submitted",
        "route": "sent to {department}",
        "leave_unrouted": "passed to the business-environment office for dispatch",
        "assign": "dispatched to {department}",
        "withdraw": "withdrawn by you",
        "add_info": "information added",
        "accept": "accepted by {department}",
        "reply": "{department} answered",
        "ask_info": "{department} asked for information",
        "info_received": "you supplied information",
        "request_transfer": "the department asked for a transfer",
        "approve_transfer": "now handled by {department}",
        "reject_transfer": "transfer request rejected",
        "request_extension": "the department asked for an extension",
        "approve_extension": "extension granted",
        "reject_extension": "extension rejected",
        "resolve": "resolved by {department}",
        "rate_satisfied": "you rated: {rating}",
        "rate_poor": "you rated: {rating}",
        "reopen": "reopened",
        "reopen_to_dispatcher": "taken over by the business-environment office",
        "auto_close": "closed",
        "enterprise_reply": "you replied",
        "answer_conduct": "you answered: {answer}",
        "comment_rating": "your comment",
        "take_back_info": "You moved an addition out to a new concern",
        "link_common": "grouped with similar tickets",
        "unlink_common": "taken out of its group",
        "common_lead": "lead department confirmed",
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
        "This unified social credit code does not check out: a character may be mistyped "
        "(not necessarily the last). Please compare it with your business licence and type "
        "it again, or tap “Skip” — your ticket is not affected."
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
    conduct_question=(
        "One question before we submit it:\n"
        "Are you reporting <b>an official's conduct</b>? For example an official who names "
        "or recommends an agency, consultancy or supplier, hints at dinners, gifts or "
        "“fees”, drags the matter out on purpose, or retaliates after a complaint.\n\n"
        "If yes, <b>{discipline}</b> handles it and the department concerned <b>never "
        "sees</b> your complaint.\n"
        "If no, it goes to the department in charge as usual."
    ),
    btn_conduct_yes="Yes",
    btn_conduct_no="No",
    conduct_answers={"yes": "yes, an official's conduct", "no": "not about conduct"},
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
    unanchored_label="📎 Ticket {number}",
    dispatch_card=(
        "🔀 <b>To dispatch</b>: no rule decided the department; please pick one.\n\n{card}"
    ),
    dispatch_card_ranked=(
        "🔀 <b>To dispatch</b>: the desk is not sure which department it is; please pick "
        "one. The first three buttons are the likeliest, with how sure it is.\n\n{card}"
    ),
    dispatch_choice="{department} {percent}%",
    card_conduct=(
        "🛡 <b>[Official conduct]</b> for the discipline office only; never to be passed "
        "to the department concerned.\n"
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
    card_accepted="<b>Accepted</b>: {who} ({at})",
    card_last_reply="<b>Last answer</b>: {text}",
    card_waiting="⏸ Waiting for the enterprise's information (since {since}; resolve clock paused)",
    card_resolution="<b>Resolution</b>: {text}",
    card_rating="<b>Rating</b>: {rating}",
    card_reopened="🔁 Reopened {count} time(s)",
    card_transferred="↪️ Transferred to {department}; this card is no longer updated.",
    card_pending_transfer="⏳ Transfer request awaiting the business-environment office",
    card_pending_extension="⏳ Extension request ({days} working days) awaiting the office",
    card_closed_note="This ticket is over; its buttons are gone.",
    card_history="<b>Earlier exchange</b> (came with the ticket, {count} messages):",
    card_history_line="· {who}: {text}",
    card_history_enterprise="Enterprise",
    card_history_file="📎 file (below)",
    card_history_earlier=(
        "({count} earlier messages not shown; admins see all with /ticket {number})"
    ),
    card_reply_hint="💬 Replies to this card go to the enterprise; replies to prompts do not.",
    btn_accept="✅ Accept",
    btn_ask_info="❓ Ask for information",
    btn_transfer="↪️ Transfer",
    btn_extension="⏱ Request extension",
    btn_resolve="🏁 Resolve",
    btn_reject="✖️ Reject",
    btn_approve="✅ Approve",
    transfer_reasons={
        "not_ours": "Not our department's duty",
        "wrong_area": "Wrong locality",
        "overlap": "Overlapping duties",
        "other": "Other (give the reason)",
    },
    ask_transfer_reason="Ticket {number}: why should it be transferred?",
    ask_transfer_other="Ticket {number}: reply to this message with the reason for the transfer.",
    ask_extension_days="Ticket {number}: how many working days do you need?",
    ask_extension_reason=(
        "Ticket {number}: extension of {days} working day(s); reply to this message with "
        "the reason."
    ),
    ask_resolution=(
        "Ticket {number}: reply to this message with the resolution; the enterprise receives "
        "it as written."
    ),
    # --- 同类诉求 / common problems (issue 16)
    card_common="🔗 {count} other enterprise(s) report the same problem: {tickets}",
    card_common_item="{number} ({status})",
    card_common_more="and {count} more",
    card_common_raised="📌 Raised as a common problem",
    card_common_leads="⭐ Your department leads this common problem",
    card_common_lead="Lead department: {department}",
    btn_together="📣 Answer together",
    btn_unlink="Not the same problem",
    ask_common_reply=(
        "Ticket {number}: reply to this message with your answer. The {count} t"
        "ickets of this group your department handles ({numbers}) all receive i"
        "t; each enterprise gets its own message and rates it on its own."
    ),
    common_answered="✅ Answered {count} tickets together: {numbers}",
    common_raised=(
        "📌 <b>Common problem</b>: {count} enterprises reported the same problem"
        " within {days} days\n{summary}\nDepartments: {departments}\nTickets: {"
        "numbers}\nProposed lead: {proposed}"
    ),
    common_no_department="(not assigned yet)",
    btn_common_confirm="✅ {department} leads",
    btn_common_other="{department} leads instead",
    common_lead_told=(
        "⭐ The business-environment office asks your department to lead a commo"
        "n problem ({count} enterprises):\n{summary}\nTickets: {numbers}"
    ),
    common_lead_confirmed="{department} leads the common problem: {summary}",
    common_lead_done="{department} leads.",
    repeat_offer=(
        "You already have a similar request, {number} ({status}), being handled"
        ".\nAdd what you wrote now to {number}? If it is a different matter, fi"
        "le a new one."
    ),
    btn_repeat_add="Add to {number}",
    btn_repeat_new="File a new one",
    link_usage=(
        "Usage: /link TICKET TARGET (puts the first ticket in the second one's "
        "group of similar tickets)"
    ),
    unlink_usage="Usage: /unlink TICKET (takes the ticket out of its group of similar tickets)",
    lead_usage=(
        "Usage: /lead TICKET DEPARTMENT_CODE (the lead department of the ticket's common problem)"
    ),
    common_linked_done="{number} is now grouped with {target}.",
    common_unlinked_done="{number} is out of its group and will not be grouped again by the desk.",
    # --- end of 同类诉求
    ask_question=(
        "Ticket {number}: reply to this message with what the enterprise should supply; it "
        "receives it as written."
    ),
    ask_reject_reason="{number}: reply to this message with the reason for rejecting.",
    prompt_placeholder="Type here…",
    relayed_ok="✅ Sent to the enterprise",
    staff_refusals={
        "not_bound": "This ticket does not belong to this chat's department; nothing was done.",
        "anonymous": "Please act as yourself (turn off “anonymous admin”); nothing was done.",
        "not_staff": "You are not on this department's staff list; nothing was done.",
        "state": "Ticket {number} is {status}; this action no longer applies.",
        "stale": "That button has expired.",
        # 同类诉求 / common problems (issue 16)
        "common_not_linked": "Ticket {number} is not in a group of similar tickets.",
        "common_same": "A ticket cannot be linked to itself.",
        "common_not_linkable": "Conduct complaints and withdrawn tickets are never grouped.",
        "common_same_enterprise": (
            "Both tickets come from the same enterprise: it can add information ins"
            "tead; they are not grouped."
        ),
        "common_already": "Ticket {number} is already in this group.",
        "common_nothing_together": (
            "No other ticket of this group can be answered together by your department now."
        ),
        "dispatcher_only": "Only the business-environment office or an admin can decide.",
        "not_member": "Only current members of this group can work tickets; nothing was done.",
        "muted": "You are muted in this group and cannot act for it; nothing was done.",
        "membership_unknown": (
            "Could not confirm your membership of this group just now; nothing was done. "
            "Please try again."
        ),
        "transfer_reasons": (
            "This prompt takes a button: choose the reason above (“Other” lets you write one). "
            "Your reply was not sent to the enterprise; to answer it, reply to ticket "
            "{number}'s card."
        ),
        "extension_days": (
            "This prompt takes a button: choose the number of days above. Your reply was not "
            "sent to the enterprise; to answer it, reply to ticket {number}'s card."
        ),
        "internal": (
            "This is the desk's own message: replies to it do not reach the enterprise. "
            "To answer the enterprise, reply to ticket {number}'s card."
        ),
        "unmatched": (
            "The desk could not tell which ticket this reply is about, so nothing was sent to "
            "the enterprise. To answer it, reply to the ticket's card; to answer a prompt, "
            "reply to that prompt."
        ),
        "conduct_transfer": (
            "Ticket {number} reports an official's conduct: a department cannot ask to "
            "transfer it (it could reach the people complained about); ask the "
            "business-environment office if it must move."
        ),
        "conduct_excluded": (
            "Ticket {number} reports an official's conduct: it cannot go to a department "
            "it names or to its category's department (that would expose the "
            "complainant); nothing was done."
        ),
    },
    reply_not_relayed_closed="Ticket {number} is {status}; this message was not sent on.",
    transfer_request=(
        "↪️ <b>Transfer request</b> {number}\n"
        "<b>From</b>: {department} ({who})\n"
        "<b>Reason</b>: {reason}\n\n"
        "To approve, pick the department to send it to, or tap “Reject”.\n\n{card}"
    ),
    extension_request=(
        "⏱ <b>Extension request</b> {number}\n"
        "<b>From</b>: {department} ({who})\n"
        "<b>Extension</b>: {days} working day(s) (resolve by {old_due} → {new_due})\n"
        "<b>Reason</b>: {reason}"
    ),
    transfer_approved_old="↪️ Transfer approved: ticket {number} now goes to {department}.",
    transfer_rejected_dept=(
        "✖️ Transfer rejected; please keep working on ticket {number}. Reason: {reason}"
    ),
    extension_approved_dept="✅ Extension approved: ticket {number} is now due {due}.",
    extension_rejected_dept=(
        "✖️ Extension rejected; ticket {number} stays due {due}. Reason: {reason}"
    ),
    request_decided="{decision} ({who})",
    reopened_dept=(
        "🔁 The enterprise is not satisfied with ticket {number} ({rating}); please rework "
        "it. New resolve deadline: {due}."
    ),
    reopened_dispatch="🔁 Ticket {number} ({department}) reopened after a poor rating, #{count}.",
    reopen_limit_dispatch=(
        "⚠️ Ticket {number} was reopened {count} time(s) and the enterprise is still not "
        "satisfied ({rating}); the office should take it over."
    ),
    enterprise_says="💬 The enterprise replied on {number}:\n{text}",
    enterprise_sends_file="💬 The enterprise sent an attachment for {number} (below).",
    enterprise_comment_dept="💬 The enterprise's comment on {number}: {text}",
    unknown_group=(
        "Hello! I am {desk}'s bot and work only in chats bound to a department. An admin "
        "of the desk can bind this one with /bind department_code."
    ),
    unbind_ok=(
        "Unbound: this {place} no longer receives the tickets of “{department}”; new ones are "
        "held until it is bound again."
    ),
    unbind_none="No department is bound to this chat (or topic).",
    ticket_admin=(
        "<b>{number}</b> ({kind}) · {status}\n"
        "<b>Category</b>: {category}\n"
        "<b>Department</b>: {department}\n"
        "<b>Company</b>: {company}  <b>Credit code</b>: {uscc}\n"
        "<b>Contact</b>: {contact}, {phone}  <b>Telegram</b>: {telegram}\n"
        "<b>Department may see</b>: {visibility}\n"
        "<b>Accepted</b>: {accepted}  <b>First answer</b>: {first_reply}\n"
        "<b>Due</b>: accept {accept_due} · first answer {first_reply_due} · resolve "
        "{resolve_due}\n"
        "<b>Rating</b>: {rating}  <b>Reopened</b>: {reopens}\n"
        "<b>Description</b>: {description}\n\n"
        "<b>Audit trail</b>\n{trail}"
    ),
    ticket_usage="Usage: /ticket number, e.g. /ticket GX-20261127-0001",
    ent_accepted="📥 Your ticket {number} was accepted by {department} and is being handled.",
    ent_relay="【{department}】{text}\n\n(ticket {number}; reply to this message to answer)",
    ent_question=(
        "❓【{department}】needs more information (ticket {number}):\n{text}\n\n"
        "Please reply to this message (text, photos or files)."
    ),
    ent_resolved=(
        "🏁【{department}】ticket {number} is resolved:\n{text}\n\n"
        "How was it handled? Your honest rating, good or bad, is welcome:"
    ),
    ent_transferred="↪️ Your ticket {number} is now handled by {department}.",
    ent_extension=(
        "⏱ Ticket {number} was granted an extension; it is now due {due}. Reason: {reason}"
    ),
    ent_thanks="Thank you for your rating! Ticket {number} is closed.",
    ent_reopened="Understood: {department} will rework ticket {number}; new deadline {due}.",
    ent_reopen_limit=(
        "Understood: ticket {number} is now supervised directly by the business-environment "
        "office, which will contact you soon."
    ),
    ent_ask_comment="If you like, reply to this message with a comment (optional).",
    ent_comment_saved="Thank you; your comment is recorded and passed to the department.",
    ent_info_forwarded="Sent to the department ✅",
    ent_added_to_ticket=(
        "Added to ticket {number} ✅ The department will receive it.\n"
        "If this is a different, new concern, tap the button below to file it separately."
    ),
    btn_new_problem="This is a new concern",
    ent_split_off="Done: this message is no longer part of ticket {number}; a new draft holds it.",
    ent_split_off_blocked=(
        "You have an unsent draft, so this message stays with ticket {number} for now. "
        "Please send that draft first (tap the menu to continue it), then tap "
        "“This is a new concern” again."
    ),
    dept_info_taken_back=(
        "↩️ The enterprise says the message it just added to ticket {number} ({what}) is a "
        "different concern, filed separately: it is not part of this ticket."
    ),
    dept_taken_back_file="a file",
    ent_ticket_over=(
        "Ticket {number} is over ({status}). Please file a new ticket for anything new."
    ),
    ratings={
        5: "very satisfied",
        4: "satisfied",
        3: "fairly satisfied",
        2: "dissatisfied",
        1: "very dissatisfied",
    },
    clock_names={"accept": "acceptance", "first_reply": "first answer", "resolve": "resolution"},
    chase_due_header="⏳ <b>{department}</b> due soon: {count} ticket(s) near a deadline",
    chase_overdue_header="⏰ <b>{department}</b> overdue: {count} ticket(s) past a deadline",
    chase_ticket="• {number} · {category} · {subject}{company}\n   {clauses}",
    chase_company=" ({company})",
    escalation_header="🚨 <b>Escalation</b>: {count} ticket(s) overdue, please step in",
    escalation_ticket="• {number} · {department} · {category} · {subject}{company}\n   {clauses}",
    clause_due="{clocks} due in {time}",
    clause_overdue="{clocks} overdue by {time}",
    clause_join="; ",
    duration_under_hour="under 1 working hour",
    duration_hours="{n} working hour(s)",
    duration_days="{n} working day(s)",
    card_overdue="⚠️ {clock} overdue by {time}",
    ent_auto_closed=(
        "Ticket {number} was resolved {days} days ago without a rating and is now closed. "
        "File a new ticket any time if something is still wrong."
    ),
    calendar_missing=(
        "⚠️ The working calendar has no holiday arrangement for {year}; deadlines count "
        "weekends and fixed statutory holidays only. Add days in [sla] extra_holidays / "
        "extra_workdays, or upgrade chinesecalendar."
    ),
    summary_usage="Usage: /summary [week], e.g. /summary 2026-W48; without it, the last full week.",
    command_descriptions={
        "start": "Open the menu · file a complaint or request",
        "my": "My tickets",
        "cancel": "Leave the current form",
        "lang": "切换语言 / Language",
        "help": "Help and privacy",
        "bind": "Bind this chat (topic) to a department",
        "unbind": "Unbind this chat",
        "departments": "Departments and bindings",
        "assign": "Dispatch a ticket",
        "ticket": "Ticket detail and audit trail",
        "summary": "Weekly summary: overdue and recurring problems",
        "link": "Link a ticket to similar ones (/link TICKET TARGET)",
        "unlink": "Take a ticket out of its similar group (/unlink TICKET)",
        "block": "Stop a user from using the desk",
        "unblock": "Let a blocked user use the desk again",
    },
    # Delivery faults
    delivery_purposes={
        "ack": "the acknowledgement",
        "card": "the ticket card",
        "dispatch": "the card to dispatch",
        "overflow": "the rest of the ticket text",
        "evidence": "evidence",
        "relay": "a relayed message",
        "resolution": "the resolution",
        "question": "a request for information",
        "enterprise_reply": "the enterprise's reply",
        "info": "information the enterprise added",
        "reminder": "a deadline reminder",
        "escalation": "an escalation",
        "weekly": "the weekly overdue summary",
        "weekly_list": "a department's overdue list",
        "notice": "a notice",
        "assigned": "the dispatch notice",
        "accepted": "the acceptance notice",
        "transferred": "the transfer notice",
        "transfer_request": "a transfer request",
        "extension_request": "an extension request",
        "extension": "the extension notice",
        "decision": "a decision",
        "rated": "the rating notice",
        "auto_closed": "the auto-close notice",
        "ask_comment": "the comment invitation",
        "ask_reject_reason": "the question for a reason",
        "calendar": "the calendar warning",
        # 同类诉求 / common problems (issue 16)
        "common_problem": "common problem notice",
        "ask_common_reply": "question for an answer together",
    },
    delivery_of_ticket=" (ticket {number})",
    delivery_to_enterprise="the enterprise",
    delivery_uncertain=(
        "⚠️ <b>Delivery uncertain</b>\n"
        "Telegram did not answer in time when {what} went to {target}: it may have "
        "arrived or not. To avoid a duplicate it is not re-sent automatically.\n"
        "Please check; if needed, on the server: <code>dianxiaoer outbox resend {id}</code>"
    ),
    delivery_failed=(
        "⚠️ <b>Could not deliver</b>\n{what} to {target} failed: {error}\n"
        "It is not retried. Once the cause is fixed: <code>dianxiaoer outbox resend {id}</code>"
    ),
    delivery_unreachable_department=(
        "⚠️ The enterprise of ticket {number} has blocked this bot: messages cannot reach it "
        "here for now. Keep working the ticket; to contact the enterprise, ask the "
        "business-environment office."
    ),
    delivery_unreachable_desk=(
        "⚠️ <b>Enterprise unreachable</b>: the enterprise of ticket {number} has blocked this "
        "bot, so {what} did not arrive. The ticket is kept and worked as usual; please "
        "contact the enterprise by phone or another channel. Once it is reachable again: "
        "<code>dianxiaoer outbox resend {id}</code>"
    ),
    delivery_group_lost=(
        "⚠️ <b>The bot is no longer in the group of {department}</b> ({reason}).\n"
        "That department's messages are held ({held} waiting), nothing is lost. Add the bot "
        "to the group again and have an admin send <code>/bind {code}</code> there: the held "
        "messages follow at once."
    ),
    delivery_removed="removed by {name}",
    delivery_removed_anonymous="removed from the group",
    # Bad input and abuse
    file_outside_ticket=(
        "Got your attachment 📎, but it belongs to no ticket yet, so it was not kept.\n"
        "• For a new ticket: tap “File a complaint” or “Make a request” first, then send it "
        "with your description;\n"
        "• To add it to a ticket: send /my, open the ticket, tap “Add information”, then send it."
    ),
    evidence_full=(
        "At most {count} attachments; this one was not kept. Tap “Next” when you are done; "
        "more material can be added after submitting, with /my → “Add information”."
    ),
    edit_not_applied=(
        "You edited a message you had sent. Edits do not change what was submitted: the "
        "department still sees the original. To correct or add something, send /my, open "
        "the ticket and tap “Add information”."
    ),
    edit_not_applied_filing=(
        "You edited a message you had sent. Edits do not update what the draft has noted: "
        "just send another message, or tap “Edit description” on the summary to rewrite it."
    ),
    edit_in_group=(
        "Edits are not passed on: the enterprise still has the original. To correct it, "
        "reply once more."
    ),
    unsupported_in_group=(
        "This kind of message cannot be passed to the enterprise (text, photos, files, "
        "videos and voice can); nothing was sent."
    ),
    assign_not_now="Ticket {number} is now “{status}” and cannot be dispatched.",
    ticket_limit=(
        "You have filed {count} tickets in the last 24 hours, the daily limit 🙏 You can file "
        "a new one from {until}. Every ticket you filed is handled as usual: /my shows them."
    ),
    ticket_limit_submit=(
        "You have filed {count} tickets in the last 24 hours, the daily limit 🙏 This draft "
        "is kept: tap “✅ Submit” again from {until}. Your filed tickets are handled as usual."
    ),
    rate_limited=(
        "You are sending messages a little fast 🙏 So that every enterprise gets a timely "
        "answer, please wait until {until}. Messages sent before then are not recorded; "
        "please send them again."
    ),
    blocked_user=(
        "Sorry, your account may no longer use this desk; what you send is not taken in. "
        "If you think this is a mistake, please contact the business-environment office."
    ),
    block_usage=(
        "Usage: /block USER_ID or TICKET_NUMBER [reason], "
        "e.g. /block GX-20261127-0001 repeated unrelated messages"
    ),
    unblock_usage="Usage: /unblock USER_ID or TICKET_NUMBER, e.g. /unblock GX-20261127-0001",
    block_done="🚫 {who} may no longer use the desk; their tickets are kept. {reason}",
    block_already="{who} is already blocked.",
    unblock_done="✅ {who} may use the desk again.",
    unblock_not_blocked="{who} is not blocked.",
    block_admin_refused="Desk admins cannot be blocked.",
    block_who_user="User {user_id}",
    block_who_ticket="The filer of ticket {number}",
    block_who_ticket_revealed="The filer of ticket {number} (user {user_id})",
    block_reason="Reason: {reason}",
    generic_error=(
        "Sorry, something went wrong on our side; nothing you sent is lost. "
        "Please try again in a moment."
    ),
    stale_button="That button has expired; please start again.",
    unsupported_message=(
        "For now I can take text, photos, files, videos and voice messages. Stickers, "
        "locations, polls or contact cards: please say it in words."
    ),
    unknown_command=(
        "Unknown command. /start opens the menu, /my lists your tickets, /help explains."
    ),
    private_only="Please message me privately to file or view tickets; it protects your privacy.",
    report_title="📊 <b>Weekly overdue summary</b> {week} ({start} to {end})",
    report_as_of="Figures as of {now}",
    report_totals=(
        "<b>Whole zone</b>\n"
        "received {received} | accepted on time {accept} | answered on time {reply}\n"
        "resolved {resolved} | resolved on time {resolve}\n"
        "overdue now {overdue}{oldest}\n"
        "satisfaction {satisfaction} ({rated} rating(s), {bad} bad)"
    ),
    report_oldest=", oldest {time}",
    report_departments_heading="<b>Departments</b>",
    report_department_line=(
        "• <b>{name}</b>: received {received} | accepted {accept} | answered {reply} | "
        "resolved {resolved}, on time {resolve} | overdue {overdue} | "
        "satisfied {satisfaction} | bad {bad}"
    ),
    report_quiet_departments=(
        "{count} more department(s) had no tickets and nothing overdue this week."
    ),
    report_overdue_heading="⏰ <b>Longest overdue</b> ({count} ticket(s))",
    report_overdue_line="• {number} · {department} · {clauses}",
    report_overdue_more="… and {count} more in the attached workbook.",
    report_no_overdue="✅ Nothing is overdue.",
    report_department_list=(
        "📅 <b>{department}</b>: weekly overdue list (as of {now}, {count} ticket(s)):"
    ),
    report_department_item="• {number} · {clauses}",
    report_cut="… (too long for one message; the workbook has everything)",
    report_clock_join=", ",
    report_unassigned="not assigned",
    report_total_row="Total",
    report_sheet_summary="Summary",
    report_sheet_overdue="Overdue",
    report_summary_columns=(
        "Department",
        "Received",
        "Acceptance due",
        "Accepted on time",
        "Accepted on time %",
        "First answer due",
        "Answered on time",
        "Answered on time %",
        "Resolved",
        "Resolved on time",
        "Resolved on time %",
        "Overdue now (tickets)",
        "Acceptance overdue",
        "First answer overdue",
        "Resolution overdue",
        "Oldest overdue (working days)",
        "Ratings",
        "Satisfied",
        "Satisfaction %",
        "Bad ratings",
    ),
    report_overdue_columns=(
        "Ticket",
        "Department",
        "Overdue clock",
        "Deadline",
        "Overdue (working hours)",
        "Overdue (working days)",
        "Status",
        "Submitted",
    ),
    report_chart_title="{week}: who is late, and how late",
    report_chart_received="Received {received}, resolved {resolved} this week",
    report_chart_replies="On time: accepted {accept}, answered {reply}",
    report_chart_resolve="Resolved on time {resolve}; satisfied {satisfaction}",
    report_chart_overdue_total="Overdue now: {count}, oldest {time}",
    report_chart_nothing_overdue="Nothing is overdue now",
    report_chart_overdue="Overdue now, by department",
    report_chart_overdue_row="{count} · oldest {time}",
    report_chart_none_overdue="nothing overdue",
    report_chart_rates="On time this week",
    report_chart_rates_note="“—”: nothing fell due this week (not 0%)",
    report_chart_nothing="Nothing to count this week",
    report_department_oldest=" (oldest {time})",
    # --- 高频诉求 / recurring problems (issue 16 reports) ---------------------------------
    recurring_heading=(
        "🔁 <b>Recurring problems</b> (the same problem from {min} or more enterprises, "
        "most enterprises first)"
    ),
    recurring_week="<b>This week</b> (filed {start} to {end}):",
    recurring_recent="<b>Last {weeks} weeks</b> (filed {start} to {end}):",
    recurring_since=(
        "🔁 <b>Recurring problems</b> filed {start} to {end} (from {min} or more enterprises, "
        "most enterprises first)"
    ),
    recurring_line=(
        "{rank}. {summary}\n"
        "   {enterprises} enterprises · {tickets} tickets | {departments} | {status}{lead} | {span}"
    ),
    recurring_status_open="{count} in progress",
    recurring_status_settled="{count} resolved",
    recurring_status_join=" / ",
    recurring_departments_join=", ",
    recurring_departments_more=" and others, {count} departments in all",
    recurring_lead=" | led by {department}",
    recurring_proposed_lead=(
        " | raised as a common problem, {department} proposed to lead (not yet confirmed)"
    ),
    recurring_raised=" | raised as a common problem",
    recurring_span_open="open for {time}",
    recurring_span_settled="took {time}, all resolved",
    recurring_none=(
        "🔁 Recurring problems: none reported by {min} or more enterprises this week or in "
        "the last {weeks} weeks."
    ),
    recurring_none_in_window="(none)",
    recurring_more="… {count} more, see the workbook's sheet “Recurring”.",
    recurring_sheet="Recurring",
    recurring_sheet_title="Recurring problems: the same problem from {min}+ enterprises ({as_of})",
    recurring_columns=(
        "Window",
        "Rank",
        "Problem",
        "Enterprises",
        "Tickets",
        "Departments",
        "In progress",
        "Resolved",
        "Lead department",
        "Raised as common problem",
        "First filed",
        "Open for (working days)",
        "Still open",
    ),
    recurring_scope_week="This week",
    recurring_scope_recent="Last {weeks} weeks",
    recurring_yes="yes",
    recurring_no="no",
    recurring_chart_title="Recurring problems (last {weeks} weeks)",
    recurring_chart_row="{enterprises} enterprises · {tickets} tickets · {open} open",
    recurring_chart_settled_row="{enterprises} enterprises · {tickets} tickets · all resolved",
    chat_places={"group": "group", "topic": "topic"},
)
