/** English texts. The keys of this object are the catalogue's keys; zh-CN must have every one. */
export const en = {
  "error.bad_request": "The request is not valid.",
  "error.bad_json": "The request body is not valid JSON.",
  "error.unauthorized": "Authentication is required.",
  "error.bad_credentials": "The API key or token is not valid.",
  "error.forbidden": "You are not allowed to do this.",
  "error.missing_scope": "This API key lacks the scope {scope}.",
  "error.not_found": "Nothing was found here.",
  "error.conflict": "This conflicts with the current state.",
  "error.gone": "This is no longer available.",
  "error.payload_too_large": "The request body is larger than {limit} bytes.",
  "error.unprocessable": "The request breaks a rule.",
  "error.unknown_scope": "Unknown scope: {scope}.",
  "error.rate_limited": "Too many requests; try again later.",
  "error.not_ready": "Baton is starting up; try again in a moment.",
  "error.internal": "Something went wrong on our side. Quote request id {requestId} when you report it.",
  "error.csrf": "The form has expired or did not come from Baton. Reload the page and try again.",
  "error.session_required": "Please sign in first.",
  "link.invalid.title": "This link is not valid",
  "link.invalid.body": "The link is damaged, was not made by Baton, or has expired. Ask for a new one.",
  "link.used.title": "This link has already been used",
  "link.used.body": "Each link works once. If that was not you, tell HR.",
  "link.wrong_person.title": "This link is for someone else",
  "link.wrong_person.body": "You are signed in as another person. Open the link from your own chat.",
  "link.sign_in_first": "Sign in as the person this link was sent to, then open it again.",
  "link.expires": "This link expires at {expiresAt}.",
  "link.confirm": "Confirm",
  "link.done.title": "Done",
  "login.title": "Sign in to Baton",
  "login.body": "Press the button to sign in on this device. The link works once.",
  "login.button": "Sign in",
  "login.done": "You are signed in.",
  "session.signed_out": "You are signed out.",
  "test.action.title": "Test action",
  "test.action.body": "Press Confirm to record the test action for {principal}.",
  "test.action.done": "The test action was recorded.",
  "verify.valid.title": "Verified",
  "verify.valid.body":
    "This {kind} is genuine: Baton's signature on it verifies and it has not been revoked.",
  "verify.revoked.title": "Revoked",
  "verify.revoked.body": "This {kind} was revoked on {revokedAt} and is no longer valid.",
  "verify.invalid.title": "Signature not valid",
  "verify.invalid.body": "The signature on this {kind} does not verify. Do not rely on it; contact HR.",
  "verify.kind.signature": "signature record",
  "verify.kind.certificate": "certificate",
  "verify.what": "What",
  "verify.holder": "Name",
  "verify.when": "Date",
  "verify.key": "Signing key",
  "verify.not_found.title": "Nothing to verify here",
  "verify.not_found.body": "This verification link is not known. Check that it was copied in full.",
  "calendar.unknown_region":
    "There is no calendar for region {region}. Use CN or another two-letter country code.",
  "calendar.bad_date": "{field} must be a real date written YYYY-MM-DD.",
  "calendar.bad_kind": "The kind must be work or rest.",
  "calendar.reason_required": "Give a reason of 1 to {max} characters.",
  "calendar.out_of_range": "{date} is outside the calendar, which covers {first} to {last}.",
  "calendar.override_not_found": "There is no calendar override for {date} in {region}.",
  "calendar.needs_schedule":
    "The official {year} holiday schedule is not in Baton yet (it has the State Council schedules through {officialThrough}). Dates in {year} are provisional: only the fixed statutory holidays are filled in. The schedule usually comes out between October and December of the year before; then update chinese-days, and meanwhile enter announced changes as overrides.",
  "calendar.holiday.new_year": "New Year's Day",
  "calendar.holiday.spring_festival": "Spring Festival",
  "calendar.holiday.qingming": "Qingming Festival",
  "calendar.holiday.labour_day": "Labour Day",
  "calendar.holiday.dragon_boat": "Dragon Boat Festival",
  "calendar.holiday.mid_autumn": "Mid-Autumn Festival",
  "calendar.holiday.national_day": "National Day",
  "calendar.holiday.victory_day": "Victory Day (70th anniversary)",
  "certificate.doc.title": "Separation Certificate",
  "certificate.doc.subtitle": "Certificate of the dissolution or termination of the labour contract",
  "certificate.doc.intro":
    "This is to certify that the labour contract between this employer and the employee named below has ended:",
  "certificate.doc.closing": "Hereby certified.",
  "certificate.doc.seal": "Employer (company seal)",
  "certificate.doc.date": "Date",
  "certificate.doc.verify": "Verify this certificate at {url}",
  "certificate.doc.reference": "Certificate {id}, version {version}",
  "certificate.label.entity": "Employer",
  "certificate.label.name": "Name",
  "certificate.label.id_number": "ID number",
  "certificate.label.contract_term": "Term of the labour contract",
  "certificate.label.termination_date": "Date the contract ended",
  "certificate.label.position": "Position",
  "certificate.label.service": "Years of service with this employer",
  "certificate.label.separation": "How the contract ended",
  "certificate.term.fixed": "{start} to {end}",
  "certificate.term.open_ended": "Open-ended, from {start}",
  "certificate.term.task": "Until a defined task is completed, from {start}",
  "certificate.separation.by_employee": "Ended by the employee",
  "certificate.separation.by_agreement": "Ended by mutual agreement",
  "certificate.separation.expiry": "The contract expired",
  "certificate.separation.by_employer": "Ended by the employer",
  "certificate.service.year": "{n} year",
  "certificate.service.years": "{n} years",
  "certificate.service.month": "{n} month",
  "certificate.service.months": "{n} months",
  "certificate.service.day": "{n} day",
  "certificate.service.days": "{n} days",
  "certificate.error.missing_facts": "Before the certificate can be issued, enter: {fields}.",
  "certificate.error.too_early":
    "The separation certificate is issued at termination (Labor Contract Law Art. 50): from the last day, {lastDay} ({timeZone}), not before. Today is {today}.",
  "certificate.error.hr_only": "Only HR issues and revokes separation certificates.",
  "certificate.error.own_case":
    "You cannot issue or revoke the certificate on your own case; ask another HR person.",
  "certificate.error.confirm_years":
    "Confirm that HR has reviewed the years of service ({service}): send yearsOfServiceConfirmed: true.",
  "certificate.error.case_not_open": "The case is {status}; there is no separation to certify.",
  "certificate.error.not_issued": "No certificate has been issued on this case yet.",
  "certificate.error.revoked": "This certificate was revoked; the corrected one replaces it.",
  "certificate.error.unreadable":
    "The certificate can no longer be read: the employee's personal data was erased.",
  "certificate.link.title": "Your separation certificate",
  "certificate.link.body":
    "Press the button to download your separation certificate as a PDF. Keep it safe: a new employer may ask to see it.",
  "certificate.link.button": "Download PDF",
  "law.lcl_art9": "Labor Contract Law Art. 9",
  "law.lcl_art22": "Labor Contract Law Art. 22",
  "law.lcl_art23": "Labor Contract Law Art. 23",
  "law.lcl_art24": "Labor Contract Law Art. 24",
  "law.lcl_art25": "Labor Contract Law Art. 25",
  "law.lcl_art37": "Labor Contract Law Art. 37",
  "law.lcl_art37_art26": "Labor Contract Law Arts. 37 and 26(1)",
  "law.lcl_art50": "Labor Contract Law Art. 50",
  "law.lcl_art50_para2": "Labor Contract Law Art. 50 para 2",
  "law.regs_art16": "Implementing Regulations of the Labor Contract Law Art. 16",
  "law.spc1_art36": "SPC Interpretation I on labour disputes Art. 36",
  "law.mol_1996_355_art2": "Ministry of Labour notice on employee mobility (劳部发〔1996〕355号) Art. 2",
  "law.wage_provisions_art9": "Provisional Provisions on Wage Payment Art. 9",
  "lint.length.months": "{n} months",
  "lint.length.days": "{n} days",
  "lint.terms.invalid": "This term is not valid: {problem}",
  "lint.terms.missing": "The document declares no structured terms; only its text was checked.",
  "lint.front_matter.invalid": "The front matter is not valid YAML: {problem}",
  "lint.notice.too_long":
    "A notice period of {length} is longer than the {max} days the employee has to give: the employee may leave {max} days after the notice, whatever the contract says.",
  "lint.notice.month":
    "Write the notice period as 30 days: a month can have 31 days, longer than the law allows.",
  "lint.declassification.too_long":
    "A 脱密期 (declassification period) of {months} months is longer than the {max} months allowed.",
  "lint.declassification.no_basis":
    "A 脱密期 (declassification period) needs a recorded basis: which trade secrets the employee holds and the contract clause agreed in advance.",
  "lint.non_compete.too_long":
    "A non-compete of {months} months is longer than the {max} months allowed after exit.",
  "lint.non_compete.no_category":
    "Say whom the non-compete binds; only these categories may be bound: {allowed}.",
  "lint.non_compete.wrong_staff":
    'A non-compete may not bind "{category}": only senior managers, senior technical staff and other staff with a confidentiality duty ({allowed}).',
  "lint.non_compete.no_pay":
    "No monthly compensation is agreed, so the default applies: 30% of the 12-month average wage, at least the local minimum wage, paid monthly after exit.",
  "lint.non_compete.zero_pay":
    "Agreeing zero compensation does not free the employer: an employee who keeps to the non-compete can claim the default (30% of the average wage, at least the minimum wage).",
  "lint.non_compete.low_percent":
    "{percent}% of the average wage is below the 30% default that courts apply; local rules may set a higher floor.",
  "lint.non_compete.paid_during_employment":
    "Non-compete compensation is paid monthly after exit, during the restriction; money folded into wages while employed may not count.",
  "lint.penalty.training_cost_missing":
    "Record the documented training cost (fees paid, travel during training, other direct costs): a service-period penalty may not exceed it.",
  "lint.penalty.above_training_cost":
    "A penalty of ¥{amount} exceeds the training cost of ¥{cost}: it may be at most the cost, prorated to the unserved part of the service period.",
  "lint.penalty.no_non_compete":
    "A non-compete penalty, but these terms declare no non-compete: declare it (months, monthly pay, whom it binds).",
  "lint.penalty.confidentiality":
    "A penalty for breaching confidentiality is void: apart from a service period or a non-compete the employee owes no penalty. The employer may claim proven losses instead (Art. 90).",
  "lint.penalty.not_allowed":
    'A penalty for "{kind}" is void: the employee may only owe a penalty for {allowed}.',
  "lint.gate.certificate":
    "The separation certificate may not wait for {waitsFor}: it is issued at termination, whatever the state of the handover.",
  "lint.gate.transfer":
    "The personnel file and social-insurance transfer may not wait for {waitsFor}: they are due within 15 days of termination.",
  "lint.gate.last_day":
    "The last day may not wait for {waitsFor}: the contract ends when the notice period runs out, without anyone's approval.",
  "lint.gate.resignation":
    "Processing the resignation may not wait for {waitsFor}: the notice takes effect when it arrives and needs no approval.",
  "lint.gate.final_wages":
    "Final wages may not wait for {waitsFor}: they are paid in full when the contract ends.",
  "lint.gate.severance": "Severance may wait for the handover only, not for {waitsFor}.",
  "lint.delay.resignation":
    'Delaying the resignation by {length} ("transfer for a year first") excludes the employee\'s statutory right: the clause is void and the last day stays the notice date + 30 days.',
  "lint.delay.certificate": "The certificate is delayed by {length}: it must be issued at termination.",
  "lint.delay.transfer":
    "The transfer is delayed by {length}: the file and social insurance must be transferred within {max} days.",
  "lint.delay.unknown":
    'Baton does not know the delayed item "{what}"; use resignation, last-day, certificate or transfer.',
  "lint.text.penalty":
    'The text mentions a penalty ("{excerpt}"): only a service-period penalty (Art. 22) or a non-compete penalty (Art. 23) is lawful; declare it in the terms.',
  "lint.text.delayed_processing":
    'The text seems to delay the resignation ("{excerpt}"): the contract ends when the notice period runs out, and a delay clause is void.',
  "lint.text.approval":
    'The text treats the resignation as needing approval ("{excerpt}"): a written notice takes effect without approval. Word it as a notice.',
  "lint.text.certificate_gated":
    'The text seems to hold back the certificate, file or social insurance ("{excerpt}"): they are due at termination whatever the state of the handover.',
  "lint.text.deposit":
    'The text mentions a deposit or withholding documents ("{excerpt}"): an employer may not take deposits or keep ID papers.',
  "lint.text.declassification_undeclared":
    'The text mentions a 脱密期 ("{excerpt}") that the terms do not declare: declare declassificationPeriod with its months (at most 6) and basis.',
  "lint.text.non_compete_undeclared":
    'The text mentions a non-compete ("{excerpt}") that the terms do not declare: declare nonCompete with its months, monthly pay and whom it binds.',
  "agreement.request_not_found": "There is no such signature request.",
  "agreement.not_yours": "This signature request is for someone else.",
  "agreement.already_signed": "This agreement version is already signed.",
  "agreement.not_active": "Only active employees can sign.",
  "agreement.name_mismatch":
    "The name you typed is not your full name as HR has it. Type your full name and try again.",
  "agreement.not_published": "This agreement version is not published.",
  "agreement.not_chained": "The signature is not in the evidence chain yet; try again in a moment.",
  "agreement.invalid": "The agreement texts have problems; see the details.",
  "agreement.lint_failed": "Publishing refused: the linter found {errors} error(s); see the details.",
  "agreement.sign.title": "Sign: {title}",
  "agreement.sign.body":
    "Read the whole agreement below (version {version}). To sign it, type your full name as HR has it and press Sign. You can download your copy right after.",
  "agreement.sign.hash": "SHA-256 of this version",
  "agreement.sign.text_zh": "中文文本 (Chinese text)",
  "agreement.sign.text_en": "English text",
  "agreement.sign.name_label": "Your full name",
  "agreement.sign.button": "Sign",
  "agreement.signed.title": "Signed",
  "agreement.signed.body":
    "You signed {title} (version {version}) at {signedAt}. A copy has been sent to you as well.",
  "agreement.signed.download": "Download your copy (the text, its hash and the signed record)",
  "agreement.signed.verify": "Public verification page",
  "channels.hr_only": "Only HR binds and unbinds group channels.",
  "channels.unknown_entity": "No entity has the id {entityId}.",
  "channels.bound_elsewhere":
    "This channel is already bound for this purpose with another entity; unbind it first.",
  "channels.not_found": "No bound channel has this id.",
  "outbox.not_found": "No outbox message has this id.",
  "outbox.not_dead": "Only a dead message can be retried; this one is {status}.",
  "verify.kind.training-certificate": "training certificate",
  "verify.expired.title": "Expired",
  "verify.expired.body": "This {kind} is genuine but was valid only through {validThrough}; it has expired.",
  "verify.valid_through": "Valid through",
  "training.answer.true": "True",
  "training.answer.false": "False",
  "training.lesson.cover":
    "Lesson {lesson} of {lessons} in “{course}”, {pages} page(s). Opening it and each page you read are recorded for your training record.",
  "training.lesson.start": "Start reading",
  "training.lesson.page_of": "Page {page} of {pages}",
  "training.lesson.next_page": "Next page",
  "training.lesson.finish": "Finish this lesson",
  "training.lesson.finish_to_quiz": "Finish and go to the quiz",
  "training.quiz.title": "Quiz: {course}",
  "training.quiz.intro":
    "{questions} questions drawn from the course's pool; you pass with {passMark}% correct. Attempts left: {left} of {limit}.",
  "training.quiz.start": "Start the quiz",
  "training.quiz.resume": "Continue the quiz",
  "training.quiz.answer_title": "Quiz: {course} (attempt {number})",
  "training.quiz.answer_intro":
    "Answer every question, then submit; you pass with {passMark}% correct. Answers cannot change once submitted.",
  "training.quiz.multiple_hint":
    "Choose every correct answer: the question counts only when you choose all of them and nothing else.",
  "training.quiz.submit": "Submit answers",
  "training.quiz.passed_title": "Passed",
  "training.quiz.passed_body":
    "You scored {score}% ({correct} of {total}; pass mark {passMark}%). Your certificate is valid through {validThrough}; anyone can check it at {verifyUrl}.",
  "training.quiz.failed_title": "Not passed yet",
  "training.quiz.failed_body":
    "You scored {score}% ({correct} of {total}; pass mark {passMark}%). Attempts left: {left}. You can try again from {nextAttemptAt}; reading the lessons again helps.",
  "training.quiz.failed_final_body":
    "You scored {score}% ({correct} of {total}; pass mark {passMark}%). Every attempt has been used; HR has been told and will contact you.",
  "training.error.passed": "This course is already passed; no further attempt is needed.",
  "training.error.closed": "This training assignment is closed; ask HR for a new one.",
  "training.error.attempt_limit": "All {limit} attempts of this assignment have been used; HR has been told.",
  "training.error.cool_down":
    "Please read the lessons again first: the next attempt can start at {availableAt}.",
  "training.error.submitted": "This attempt was submitted; its answers can no longer change.",
  "training.error.unanswered": "Answer every question before submitting ({count} left).",
  "training.error.not_yours": "This training belongs to someone else.",
  "training.error.hr_only": "Only HR manages training.",
  "training.error.no_lesson": "This lesson or page does not exist (any more).",
  "training.error.course_files":
    "The course files have {count} problem(s); each is listed with its file and line.",
  "case.not_found": "There is no case {id}.",
  "case.template_not_found": "There is no offboarding template {id}.",
  "case.unknown_employee": "No employee has the id {employee}.",
  "case.employee_inactive": "{employee} is {status}; only an active employee's separation can be opened.",
  "case.already_open": "This employee already has a running case ({caseId}); one case at a time.",
  "case.idempotency_key_required":
    "Send an Idempotency-Key header (1 to 200 visible characters), so a retry cannot open a second case.",
  "case.idempotency_conflict": "This Idempotency-Key was already used for a different request.",
  "case.notice_text": "The notice text must have 1 to {max} characters.",
  "case.notice_in_future": "The notice date {noticeDate} is in the future (today is {today}).",
  "case.day_before_notice": "{field} {day} is before the notice date {noticeDate}.",
  "case.last_day_required": "A {separationType} case needs requestedLastDay: the day the contract ends.",
  "case.last_day_too_far": "The last day {day} is more than two years after the notice; check the date.",
  "case.no_template": "There is no offboarding template for jurisdiction {jurisdiction} yet.",
  "case.open_forbidden": "A case is opened by HR, by a system, or by the employee giving notice.",
  "case.cannot_act_for":
    "A person's key acts only for that person; only a system key may name the acting person.",
  "case.read_forbidden": "You are not a party to this case.",
  "case.own_case": "Nobody acts on the approvals of their own case.",
  "case.reason_required":
    "Give a reason: acting for someone else or changing a case is recorded with its reason.",
  "case.step_not_yours": "You may not complete the {step} step.",
  "case.step_data": "The step's data is not valid: {problem}.",
  "case.bad_receiver":
    "The handover receiver must be an active colleague who is not leaving ({receiver} is not).",
  "case.step_not_found": "The case has no step {step}.",
  "case.step_not_started": "The {step} step has not started yet.",
  "case.step_cancelled": "The {step} step was cancelled.",
  "case.step_closed": "The {step} step is {status}; it cannot be changed.",
  "case.not_active": "The case is {status}.",
  "case.gates_unsatisfied": "What the check asks for is not done yet; the details list what is missing.",
  "case.admin_only": "Only HR administers cases, and never their own.",
  "case.bad_owner":
    "The new owner must be an active colleague who is not leaving, or hr / finance ({owner} is not).",
  "case.not_reassignable": "The {step} step belongs to the leaver and cannot be reassigned.",
  "case.withdraw_needs_agreement":
    "A notice is withdrawn only when both sides agree: record the employee's agreement (employeeAgreement).",
  "case.agreement_needed":
    "This is not the day the employee asked for: record the employee's agreement (employeeAgreement).",
  "case.due_out_of_range": "The due date must be from {earliest} to {latest}: never after the last day.",
  "link.not_done.title": "Not done yet",
  "link.not_done.body": "Nothing was recorded. Go back, correct it and try again: the link still works.",
  "law.lcl_art39": "Labor Contract Law Art. 39 (no severance)",
  "law.lcl_art46": "Labor Contract Law Art. 46",
  "law.lcl_art46_1": "Labor Contract Law Art. 46(1) (resignation under Art. 38)",
  "law.lcl_art46_2": "Labor Contract Law Art. 46(2) (mutual agreement proposed by the employer)",
  "law.lcl_art46_3": "Labor Contract Law Art. 46(3) (dismissal under Art. 40)",
  "law.lcl_art46_4": "Labor Contract Law Art. 46(4) (dismissal under Art. 41)",
  "law.lcl_art46_5": "Labor Contract Law Art. 46(5) (fixed-term contract expired)",
  "law.lcl_art47": "Labor Contract Law Art. 47",
  "law.leave_art12": "Measures for Paid Annual Leave of Enterprise Employees Art. 12",
  "settlement.figure.final_wages": "Final wages through the last day",
  "settlement.figure.unused_leave_pay": "Pay for unused annual leave",
  "settlement.figure.severance": "Severance (economic compensation)",
  "settlement.missing.finalWagesFen":
    "Final wages through {lastDay}: finance's system sends them with its answer, or finance enters finalWagesFen on this settlement.",
  "settlement.missing.averageMonthlyWageFen":
    "The 12-month average monthly wage of {employee}: HR or finance enters it in the employee's pay facts.",
  "settlement.missing.annualLeaveDays":
    "The annual leave entitlement of {employee}: enter it in the employee's pay facts.",
  "settlement.missing.annualLeaveTakenDays":
    "The annual leave days {employee} took this year: enter them in the employee's pay facts.",
  "settlement.missing.serviceStartDate":
    "When {employee}'s service with the employer began: HR enters the service start or hire date on the employee.",
  "settlement.missing.localMinimumMonthlyWage":
    "The local minimum monthly wage in force on {lastDay}: HR enters it on the employing entity.",
  "settlement.missing.localAverageMonthlyWage":
    "The local average monthly wage in force on {lastDay} (for the 3× cap): HR enters it on the employing entity.",
  "settlement.missing.mutualProposedBy":
    "Who proposed ending the contract (employer or employee): HR records mutualProposedBy on this settlement.",
  "settlement.missing.dismissalArticle":
    "The ground of the dismissal (Art. 39, 40 or 41): HR records dismissalArticle on this settlement.",
  "settlement.finance_or_hr": "Only finance and HR see and enter the settlement.",
  "connector.bad_signature": "The webhook signature does not verify, or the message is too old.",
  "non_compete.hr_only": "Only HR records non-compete decisions.",
  "non_compete.finance_only": "Only finance (or finance's system) confirms non-compete payments.",
  "non_compete.case_withdrawn": "The case was withdrawn: there is no exit to decide a non-compete on.",
  "non_compete.category_required":
    "Record {employee}'s position category first (senior manager, senior technical, or other confidentiality duty): only those staff may be held to a non-compete (Labor Contract Law Art. 24).",
  "non_compete.inputs_missing":
    "Enter first: {fields}. The default monthly pay (30% of the 12-month average wage, at least the local minimum wage; SPC Interpretation I Art. 36) is computed from them.",
  "non_compete.too_long":
    "A non-compete after exit may last at most 24 months (Labor Contract Law Art. 24); {months} months were asked.",
  "non_compete.start_before_exit":
    "The restriction starts after the last day of employment ({lastDay}); {startDate} is not after it.",
  "non_compete.end_too_late":
    "The restriction would end on {endDate}, more than 24 months after the last day; it may end on {latest} at the latest (Labor Contract Law Art. 24).",
  "non_compete.pay_below_default":
    "The monthly pay of ¥{amount} is below the default of ¥{default} (30% of the 12-month average wage, at least the local minimum wage; SPC Interpretation I Art. 36).",
  "non_compete.already_decided":
    "A decision ({decision}) is already recorded on this case. To end an enforced non-compete early, end it.",
  "non_compete.not_enforced": "This non-compete was waived: nothing is paid.",
  "non_compete.unknown_month": "{month} is not a month of this non-compete ({first} to {last}).",
  "non_compete.payment_conflict":
    "The payment for {month} was already confirmed as ¥{amount}; ask HR to correct it.",
  "non_compete.not_active": "This non-compete is {status}; it cannot be ended again.",
  "non_compete.end_date_outside": "{date} is outside the restriction ({startDate} to {endDate}).",
  "non_compete.employee_may_not_end":
    "The employee may end the non-compete only after three months of compensation went unpaid (SPC Interpretation I Art. 38); {unpaid} are unpaid.",
} as const;

export type MessageKey = keyof typeof en;
