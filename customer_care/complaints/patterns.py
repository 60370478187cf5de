"""The complaint rules as data: word sets, category and severity patterns, remedies, fillers and openers.

Token patterns are written in a small notation so that a rule reads like the phrase it finds (compiled for
spaCy's matchers by customer_care.complaints.rules):

    word      the lemma ("arrive" finds arrived/arrives/arriving)    =word   the exact lower-case form
    a|b       any of the alternatives                                 @SET    any lemma of a named word set
    term?     optional                                                ...     up to 4 tokens in between (...6
                                                                              for 6), within a clause and not
                                                                              crossing "want"/"need"
"""

from typing import Dict, FrozenSet, Sequence, Tuple

from customer_care.complaints.lexicon import words
from customer_care.complaints.model import IssueCategory, Severity

WORD_SETS: Dict[str, FrozenSet[str]] = {
    "PARCEL": words("order parcel package delivery shipment purchase stuff goods"),
    "ITEM": words(
        "item product thing one size colour color model version style design pattern shade flavour "
        "flavor type kind edition quantity order stuff goods book shoe dress top shirt"
    ),
    "PART": words(
        "part piece half rest bit component accessory cable lid charger battery button strap screw "
        "instruction manual plug remote bulb leg shelf drawer handle belt sock glove earring item"
    ),
    "DET": words("my our the a an this that your his her their its"),
    # not "manager" (asking for one is no complaint about staff) nor "guy" ("you guys")
    "STAFF": words(
        "agent staff advisor adviser assistant employee representative rep operator colleague "
        "driver person woman man lady"
    ),
    "WEB": words("website site web app page checkout basket cart browser link button form portal"),
}
# Matched on the exact form: "get" asks for something, "got" reports it.
WANT_CUES = words(
    "want wants wanted wanting wanna need needs needed like 'd would expect expecting demand demanding "
    "request requesting prefer rather ask asking asked please waiting wait give send get issue "
    "process arrange can could will should deserve entitled"
)
# A rule whose gap crosses one of these is about something else: "not ... refund" must not match
# "I don't want a refund".
GAP_BLOCKERS = sorted(words("want need like prefer expect rather"))

C = IssueCategory
# (category, weight, pattern): a message's category is the one with the highest total weight, so specific
# phrasings outweigh a word that only hints at a category.
CATEGORY_RULES: Sequence[Tuple[IssueCategory, int, str]] = [
    (C.DAMAGED_ITEM, 3, "damage|break|crack|smash|shatter|dent|scratch|rip|tear|snap|chip|burst|defective|faulty"),
    (C.DAMAGED_ITEM, 3, "dud|malfunction"),
    (C.DAMAGED_ITEM, 2, "crush|leak|stain|bend|mould|mouldy|rotten|stale|peel|fade|fray|rust|wobble|overheat|melt"),
    (C.DAMAGED_ITEM, 2, "loose|wobbly|flicker|buzz|rattle"),
    (C.DAMAGED_ITEM, 2, "spark|smoke|hole|soak|wet|split"),
    (C.DAMAGED_ITEM, 3, "fall|come apart"),
    (C.DAMAGED_ITEM, 2, "fall|come =off"),
    (C.DAMAGED_ITEM, 2, "not|stop|never ... work|function|power"),
    (C.DAMAGED_ITEM, 2, "not|stop|never ... =charge|=charging"),
    (C.DAMAGED_ITEM, 2, "not|never ... turn|switch =on"),
    (C.DAMAGED_ITEM, 3, "dead on arrival"),
    (C.DAMAGED_ITEM, 3, "in|to ...2 piece"),
    (C.DAMAGED_ITEM, 2, "catch|on fire"),
    (C.DAMAGED_ITEM, 2, "electric|electrical shock"),
    (C.WRONG_ITEM, 1, "instead"),
    (C.WRONG_ITEM, 3, "wrong @ITEM"),
    (C.WRONG_ITEM, 3, "@ITEM be wrong"),
    (C.WRONG_ITEM, 3, "not what i|we order|ask|buy|pay|choose|select|want"),
    (C.WRONG_ITEM, 3, "someone|somebody else"),
    (C.WRONG_ITEM, 2, "incorrect|mixup"),
    (C.WRONG_ITEM, 2, "instead of"),
    (C.WRONG_ITEM, 2, "mix -? up"),
    (C.WRONG_ITEM, 2, "different @ITEM"),
    (C.WRONG_ITEM, 2, "not as describe|advertise|picture|show"),
    (C.WRONG_ITEM, 2, "not match"),
    (C.WRONG_ITEM, 2, "order ... but|and i|we? =got|=received|=sent|=get|=receive a|an|the|some"),
    (C.WRONG_ITEM, 2, "order ... =, =got|=received|=sent|=get|=receive a|an|the|some"),
    (C.WRONG_ITEM, 2, "order ...6 but ...2 =got|=received|=sent|=get|=receive"),
    (C.WRONG_ITEM, 1, "right @ITEM"),
    (C.WRONG_ITEM, 1, "photo|picture|description|advert|listing"),
    (C.WRONG_ITEM, 2, "not look ... like"),
    (C.MISSING_ITEM, 2, "=missing"),
    (C.MISSING_ITEM, 4, "@PART be|have? =missing"),
    (C.MISSING_ITEM, 4, "=missing @PART"),
    (C.MISSING_ITEM, 4, "part|piece|half|rest|bit|component|accessory of @DET? order|parcel|package|delivery|box|set"),
    (C.MISSING_ITEM, 3, "not|never in|inside @DET? box|parcel|package|bag|envelope|order|delivery"),
    (C.MISSING_ITEM, 3, "not|never include|pack|enclose"),
    (C.MISSING_ITEM, 3, "forget to? include|pack|send|put|add"),
    (C.MISSING_ITEM, 2, "forget"),
    (C.MISSING_ITEM, 3, "only get|receive|come|arrive|contain|send|include ...3 of"),
    (C.MISSING_ITEM, 3, "only =one|=two|=three|=1|=2|=3|=half of"),
    (C.MISSING_ITEM, 3, "only =one|=two|=three|=1|=2|=3|=half ...2 in|inside @DET? box|parcel|package|bag|order"),
    (C.MISSING_ITEM, 2, "empty|incomplete"),
    (C.MISSING_ITEM, 1, "leave =out"),
    (C.LATE_DELIVERY, 2, "late|delay|overdue"),
    (C.LATE_DELIVERY, 3, "not|never|yet ... arrive|reach|dispatch|ship|deliver|post"),
    (C.LATE_DELIVERY, 2, "not|never ... come"),
    (C.LATE_DELIVERY, 3, "not|never ... turn|show =up"),
    (C.LATE_DELIVERY, 3, "not|never ... receive|get @DET? @PARCEL"),
    (C.LATE_DELIVERY, 2, "still wait"),
    (C.LATE_DELIVERY, 3, "wait ... for|on @DET? @PARCEL"),
    (C.LATE_DELIVERY, 2, "wait ... day|week|month|age|forever"),
    (C.LATE_DELIVERY, 3, "where be|'s @DET? @PARCEL"),
    (C.LATE_DELIVERY, 3, "where @DET? @PARCEL be|'s"),
    (C.LATE_DELIVERY, 3, "dispatch|ship|deliver|arrive ...2 yet"),
    (C.LATE_DELIVERY, 3, "@PARCEL ...8 steal"),
    (C.LATE_DELIVERY, 2, "lose"),
    (C.LATE_DELIVERY, 3, "lose in|during transit"),
    (C.LATE_DELIVERY, 3, "lose in =the =post"),
    (C.LATE_DELIVERY, 4, "mark|show|say|list|update ...2 as? deliver"),
    (C.LATE_DELIVERY, 2, "tracking|track|=stuck|depot|transit"),
    (C.LATE_DELIVERY, 1, "courier|postman|dpd|evri|hermes|dhl|ups|yodel|parcelforce"),
    (C.LATE_DELIVERY, 1, "royal mail"),
    (C.LATE_DELIVERY, 2, "not here"),
    (C.LATE_DELIVERY, 3, "wrong|incorrect address|house|door|flat|building|neighbour|postcode"),
    (C.LATE_DELIVERY, 2, "neighbour|neighbor|doorstep|porch|bin|shed|safe"),
    (C.LATE_DELIVERY, 2, "miss @DET? delivery"),
    (C.LATE_DELIVERY, 3, "@PARCEL be ...2 =missing"),
    (C.LATE_DELIVERY, 3, "@PARCEL have? go =missing"),
    (C.LATE_DELIVERY, 1, "dispatch|ship|due|expect|estimate|delivery"),
    (C.REFUND_NOT_RECEIVED, 4, "refund|reimburse|reimbursement ...6 not|never|yet|still"),
    (C.REFUND_NOT_RECEIVED, 4, "not|never|no|still|yet|wait|chase ...6 refund|reimburse|reimbursement"),
    (C.REFUND_NOT_RECEIVED, 4, "where be|'s @DET? refund|money"),
    (C.REFUND_NOT_RECEIVED, 4, "not|never|no|still|yet ... money =back"),
    (C.REFUND_NOT_RECEIVED, 3, "promise|when ... refund"),
    (C.REFUND_NOT_RECEIVED, 3, "refund ... take"),
    (C.REFUND_NOT_RECEIVED, 2, "return ...6 not|no|nothing|never"),
    (C.BILLING, 3, "charge|deduct|debit|bill|overcharge ...3 twice|double|=two|again|extra|more"),
    (C.BILLING, 3, "take|pay ...3 twice|double"),
    (C.BILLING, 3, "double -? charge|payment|bill|debit"),
    (C.BILLING, 3, "overcharge"),
    (C.BILLING, 2, "=charged|=charges"),
    (C.BILLING, 3, "wrong|incorrect amount|price|total|charge"),
    (C.BILLING, 1, "bill|billing|invoice|receipt|statement|payment|transaction|card|bank|paypal|klarna|clearpay"),
    (C.BILLING, 1, "price|discount|promo|voucher|coupon|fee|subscription|pending|money|vat|cost"),
    (C.BILLING, 3, "discount|promo|voucher|coupon|code ... not ... work|apply|accept"),
    (C.BILLING, 2, "unauthorised|unauthorized|fraudulent"),
    (C.BILLING, 2, "take ...2 money|payment"),
    (C.BILLING, 3, "card|detail ...2 steal"),
    (C.BILLING, 3, "steal @DET? card|detail"),
    (C.ACCOUNT_LOGIN, 1, "log|sign in|into|on"),
    (C.ACCOUNT_LOGIN, 3, "not ... log|sign in|into|on"),
    (C.ACCOUNT_LOGIN, 3, "login|logon|signin|password|username|=2fa"),
    (C.ACCOUNT_LOGIN, 3, "lock =out"),
    (C.ACCOUNT_LOGIN, 2, "lock"),
    (C.ACCOUNT_LOGIN, 1, "account|profile"),
    (C.ACCOUNT_LOGIN, 2, "verification|verify|otp|authentication|hack|register|registration"),
    (C.ACCOUNT_LOGIN, 2, "access @DET? account"),
    (C.ACCOUNT_LOGIN, 2, "sign =up"),
    (C.WEBSITE_ERROR, 2, "@WEB"),
    (C.WEBSITE_ERROR, 2, "error|bug|glitch|crash|freeze|timeout|=404|=500|=503"),
    (C.WEBSITE_ERROR, 1, "go wrong"),
    (C.WEBSITE_ERROR, 4, "@WEB ... not|keep ... work|load|open|respond|accept|let"),
    (C.WEBSITE_ERROR, 3, "not|never ... load"),
    (C.STAFF_BEHAVIOUR, 3, "rude|unhelpful|unprofessional|patronising|patronizing|condescending|dismissive"),
    (C.STAFF_BEHAVIOUR, 3, "aggressive|arrogant|impolite|disrespectful|sarcastic|abusive|threatening"),
    (C.STAFF_BEHAVIOUR, 3, "hang =up|=down"),
    (C.STAFF_BEHAVIOUR, 3, "swear|shout|yell|laugh|scream at"),
    (C.STAFF_BEHAVIOUR, 2, "attitude|ignore"),
    (C.STAFF_BEHAVIOUR, 1, "@STAFF"),
    (C.STAFF_BEHAVIOUR, 1, "customer service|support|care|services"),
    (C.STAFF_BEHAVIOUR, 2, "nobody|noone ... reply|respond|answer|call|help"),
    (C.STAFF_BEHAVIOUR, 2, "no one ... reply|respond|answer|call|help"),
]

S = Severity
SEVERITY_RULES: Sequence[Tuple[Severity, str]] = [
    (S.SAFETY, "injure|injury|hurt|bleed|blood|hospital|burn|explode|explosion|overheat|spark|choke|poison|rash"),
    (S.SAFETY, "allergic|allergy|anaphylaxis|anaphylactic|dangerous|hazard|unsafe|smoke|scald|electrocute|flame"),
    (S.SAFETY, "cut =myself|=my|=me|=his|=her|=their|=our|=himself|=herself"),
    (S.SAFETY, "catch|on|set|start =fire|=alight"),
    (S.SAFETY, "electric|electrical shock"),
    (S.SAFETY, "get|give ...2 =a =shock"),
    (S.LEGAL, "lawyer|solicitor|attorney|lawsuit|court|ombudsman|barrister|litigation|legal|watchdog"),
    (S.LEGAL, "i|we|to|will|and =sue"),  # not "my friend Sue"
    (S.LEGAL, "=na =sue"),
    (S.LEGAL, "=suing|=sued"),
    (S.FRAUD, "unauthorised|unauthorized|fraud|fraudulent|scam|scammer|phishing|hack|hacker"),
    (S.FRAUD, "not|never authorise|authorize|approve|recognise|recognize"),
    (S.FRAUD, "not|never make|place|authorise @DET? purchase|payment|transaction|order|charge"),
    (S.FRAUD, "steal @DET? card|detail|identity|account"),
    (S.FRAUD, "card|detail|identity ...2 steal"),
    (S.FRAUD, "without @DET? permission|consent|authorisation|authorization|knowledge|approval"),
    (S.FRAUD, "someone|somebody ...3 use|access @DET? card|account|detail"),
    (S.ANGER, "furious|fuming|livid|outraged|outrage|disgusted|disgusting|disgust|disgrace|disgraceful"),
    (S.ANGER, "appalling|appalled|worst|pathetic|incompetent|useless|shambles|raging|seething"),
    (S.ANGER, "absolute|complete|total|utter|such =a? joke"),
    (S.ANGER, "never ...4 again"),
]
SEVERITY_PHRASES: Dict[Severity, Sequence[str]] = {
    S.SAFETY: ["fire hazard", "burst into flames", "cut my finger", "cut my hand", "a&e", "went up in smoke"],
    S.LEGAL: [
        "trading standards",
        "small claims",
        "citizens advice",
        "consumer rights",
        "legal action",
        "see you in court",
        "take you to court",
        "report you",
    ],
    S.FRAUD: [
        "identity theft",
        "stolen card",
        "charged without permission",
        "did not authorise",
        "didn't authorise",
        "didnt authorise",
    ],
    S.ANGER: ["never again", "sick and tired", "beyond angry", "so angry", "absolutely disgusting"],
}

# (remedy, pattern, also counts when it opens a sentence as an order: "Refund me now", "Call me back")
REMEDIES: Sequence[Tuple[str, str, bool]] = [
    ("a partial refund", "partial refund", False),
    ("a refund", "refund|reimburse", True),
    ("a refund", "reimbursement", False),
    ("a refund", "money =back", False),
    ("a refund", "=my =money", False),
    ("a replacement", "replace|resend", True),
    ("a replacement", "replacement", False),
    ("a replacement", "new|another =one", False),
    ("an exchange", "exchange|swap", True),
    ("an exchange", "=different|=bigger|=smaller|=larger =size", False),
    ("a repair", "repair", True),
    ("a repair", "fix =it|=this", True),
    ("a cancellation", "cancel", True),
    ("a cancellation", "cancellation", False),
    ("compensation", "compensation|compensate|voucher|discount|credit|=goodwill", False),
    ("a call back", "call|ring|phone =me? =back", True),
    ("a call back", "callback", False),
    ("to speak to a manager", "speak|talk =to|=with @DET? manager|supervisor", False),
    ("to speak to a person", "speak|talk =to|=with @DET? human|person|someone|somebody|agent", False),
]

# Dropped wherever they are.
FILLER_RULES: Sequence[str] = [
    "=um|=umm|=ummm|=uh|=uhh|=uhm|=er|=erm|=errr|=hmm|=hmmm|=hm|=ah|=ahh|=oh|=lol|=lmao|=lmfao|=rofl|=haha",
    "=hahaha|=omg|=smh|=ngl|=tbh|=tbf|=fyi|=innit|=pls|=plz|=please|=kindly|=honestly|=basically|=literally",
    "=frankly|=freaking|=freakin|=frigging|=friggin|=flipping|=flippin",
    "=to =be =honest|=frank",
    "=, =you =know",
    "=, =like =,",
    "=i =just? =want|=wanted|=wanna =to =say|=mention|=flag =that?",
    "=i =just? =want|=wanted|=wanna =to =let =you =know =that?",
    "=i =just? =want|=wanted|=wanna =to =tell|=inform =you =that?",
    "=i ='d =like =to =let =you =know|=inform =you|=say =that?",
    "=just =wanted|=want =to =say|=mention =that?",
    "=i ='m|=am|=m =writing|=contacting|=messaging|=emailing =to? =you? =because|=as|=since",
    "=can =i =just =say =that?",
    "=thanks|=thank|=thx|=ty|=cheers =you|=u? =so|=very? =much? =in =advance",
    "=thanks|=thank|=thx|=ty|=cheers =you|=u? =for =your|=the? =help|=time|=reading|=patience|=assistance",
    "=thanks|=thank|=thx|=ty|=cheers =you|=u? =for =your|=the? =understanding|=listening|=nothing",
    "=thanks|=thx|=ty|=cheers|=ta =so? =much?",
    "=thank =you|=u =so|=very? =much?",
    "=many|=kind|=best|=warm =thanks|=regards|=wishes",
    "=regards|=sincerely",
    "=yours =sincerely|=faithfully|=truly",
]
# Dropped only at the start of a sentence, where they open it rather than mean something.
OPENER_RULES: Sequence[str] = [
    "=hi|=hello|=hey|=hiya|=heya|=howdy|=yo|=greetings|=hii|=hiii|=heyy|=helo|=hallo =there|=guys|=all|=team?",
    "=hi|=hello|=hey|=hiya =folks|=everyone|=everybody|=larkspur|=again|=people",
    "=good =morning|=afternoon|=evening|=day =team|=all|=there|=guys|=larkspur?",
    "=morning|=afternoon|=evening =all|=team|=guys",
    "=to =whom =it =may =concern",
    "=ok|=okay|=right|=well|=look|=listen|=seriously|=anyway|=anyways =,",
    "=ok|=okay =so",
    "=so|=also|=and|=but|=then|=anyway|=anyways|=plus",
    "=like =,",
    "=you =know =what? =,",
    "=i =mean =,",
]

# Keywords customers often misspell, whose typos are repaired. Deliberately not every rule word: "place" would
# turn "plates" into "places", "book" would turn "boots" into "books".
TYPO_PRONE_KEYWORDS = words(
    "receive deliver delivery damage break crack scratch smash shatter defective faulty arrive parcel package "
    "refund reimburse replace replacement exchange cancel dispatch courier account password website "
    "unauthorised unauthorized charge compensation miss track"
)

# A sentence beginning with one of these verbs asks the shop to do something ("Send me a new one").
IMPERATIVE_VERBS = words(
    "refund send resend sort fix cancel give tell help call ring phone contact replace email explain check reply "
    "respond get let deal stop process investigate look answer arrange collect escalate credit reimburse exchange "
    "swap change update delete close remove unlock reset"
)
