"""Structural signs that a text addresses the AI reading it rather than the people handling the ticket.

Each signal is a family of patterns in English and a dozen other languages (de, es, fr, it, pt, nl, pl, tr,
ru, zh, ja, ko, ar, hi): overriding instructions, addressing the assistant, handing it a new role, asking for
its prompt or other customers' data, dictating its output, fake chat markup, jailbreak vocabulary, actions on
the system, and requests to decode a payload. Verb and object are matched in either order within a short
window, because word order differs between languages (Japanese puts the object first). A signal is evidence
for the classifier (inbound_model.py), not a verdict: "ignore my previous email" or a transcript line
"Assistant: hello" are ordinary in tickets, and the classifier learned how much each signal counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from hyperjourney.guardrails.inbound_gate import Gated, LiteralIndex
from hyperjourney.guardrails.inbound_intents import INTENT_SIGNALS

_I = re.IGNORECASE


def _near(verbs: Iterable[str], objects: Iterable[str], gap: int = 40) -> re.Pattern[str]:
    """verb ... object or object ... verb within ``gap`` characters, in one sentence."""
    v, o = _alternation(verbs), _alternation(objects)
    return re.compile(rf"(?:{v})[^\n.!?;。！？]{{0,{gap}}}?(?:{o})|(?:{o})[^\n.!?;。！？]{{0,{gap}}}?(?:{v})", _I)


def _alternation(items: Iterable[str]) -> str:
    """``a|b|c`` with the word-boundary alternatives grouped behind one ``\\b``: the engine then rules out a position
    inside a word once instead of once per alternative (three times faster on the override pattern)."""
    items = list(items)
    bounded = [i.removeprefix(r"\b") for i in items if i.startswith(r"\b")]
    rest = [i for i in items if not i.startswith(r"\b")]
    return "|".join(([rf"\b(?:{'|'.join(bounded)})"] if bounded else []) + rest)


_OVERRIDE_VERBS = [
    r"\bignor\w*",
    r"\bdisregard\w*",
    r"\bforget\b",
    r"\boverrid\w*",
    r"\bbypass\w*",
    r"\bneglect\b",
    r"\bdiscard\b",
    r"\bset aside\b",
    r"\bthrow out\b",
    r"\bpay no attention\b",
    r"\bstop following\b",
    r"\bno longer (?:follow|obey|bound)\b",
    r"\bsupersed\w*",
    r"\boverwrit\w*",
    r"\bdrop(?:ped|ping)?\b",
    r"\bscrap(?:ped)?\b",
    r"\bthrow (?:\w+ )?away\b",
    r"\bdismiss\w*",
    r"\bretire[ds]?\b",
    r"\brevok\w*",
    r"\bwithdraw\w*",
    r"\bnull and void\b",
    r"\bvoid\b",
    r"\bsuspend\w*",
    r"\blift(?:ing)? (?:all|every|the|your)\b",
    r"\bdisabl\w*",
    r"\bswitch(?:ed)? off\b",
    r"\bturn(?:ed)? off\b",
    r"\bwipe\b",
    r"\bunlearn\b",
    r"\btear up\b",
    r"\bput (?:\w+ )?aside\b",
    r"\babandon\w*",
    r"\bno longer (?:apply|applies|count|counts|valid|in force)\b",
    r"\b(?:don'?t|do not) (?:apply|count|matter)\b",
    r"\bstop (?:using|applying|adhering to)\b",
    r"\bnever (?:existed|written|given)\b",
    r"\bvergiss\w*",
    r"\bmissacht\w*",
    r"\bolvid\w*",
    r"\bomit[ae]\w*",
    r"\bhaz caso omiso\b",
    r"\boubli\w*",
    r"\bne tiens? (?:pas|plus) compte\b",
    r"\bdimentic\w*",
    r"\besque[cç]\w*",
    r"\bnegeer\w*",
    r"\bvergeet\b",
    r"\bzignoruj\w*",
    r"\bzapomnij\w*",
    r"\byoksay\w*",
    r"görmezden gel\w*",
    r"\bunut\w*",
    r"игнорир\w*",
    r"забудь\w*",
    r"не обращай внимания",
    r"проигнорир\w*",
    "忽略",
    "无视",
    "忽视",
    "忘记",
    "忘掉",
    "不要理会",
    "無視",
    "忘れ",
    "무시",
    "잊어",
    "تجاهل",
    "انس[َ]?",
    "أهمل",
    "अनदेखा",
    "भूल जा",
    "नज़रअंदाज़",
]
_OVERRIDE_OBJECTS = [
    "".join(rf"(?<!{q} )" for q in ("delivery", "assembly", "care", "installation", "setup", "shipping", "return"))
    + r"\binstructions?\b",
    r"\brules\b",
    r"\bguidelines\b",
    r"\bdirectives?\b",
    r"\bsystem ?prompt\b",
    r"\bprompts?\b",
    r"\bprogramming\b",
    r"\btraining\b",
    r"\bguardrails\b",
    r"\bsafety (?:rules|filters|guidelines|policy)\b",
    r"\brestrictions\b",
    r"\bconstraints\b",
    r"\b(?:everything|all|anything) (?:above|before|prior|previous|earlier|you (?:were|have been) told)\b",
    r"\bwhat you were told\b",
    r"\byour (?:orders|task|directions|policy|policies|context)\b",
    r"\bguidance\b",
    r"\bbriefing\b",
    r"\bset-?up (?:text|instructions|message|prompt)\b",
    r"\bconfiguration\b",
    r"\bplaybook\b",
    r"\bstanding (?:orders|instructions|rules)\b",
    r"\b(?:operating|built-in|company|corporate|standard) (?:rules|policies|manual|orders|instructions|procedure)\b",
    r"\bsafety (?:settings|layers|checks|features)\b",
    r"\bpolicy checks?\b",
    r"\bcontent filters?\b",
    r"\banweisung\w*",
    r"\bregeln\b",
    r"\bvorgaben\b",
    r"\bbefehl\w*",
    r"\binstruktion\w*",
    r"\binstrucci\w*",
    r"\breglas\b",
    r"\bindicaciones\b",
    r"\bdirectrices\b",
    r"\bconsignes\b",
    r"\brègles\b",
    r"\bistruzion\w*",
    r"\bregole\b",
    r"\binstruç\w*",
    r"\bregras\b",
    r"\bdiretrizes\b",
    r"\binstructies\b",
    r"\bregels\b",
    r"\binstrukcj\w*",
    r"\bzasady\b",
    r"\bpolecenia\b",
    r"\btalimat\w*",
    r"\bkural\w*",
    r"инструкци\w*",
    r"правил\w*",
    r"указани\w*",
    r"промпт\w*",
    "指令",
    "指示",
    "规则",
    "提示",
    "设定",
    "命令",
    "ルール",
    "プロンプト",
    "設定",
    "지시",
    "명령",
    "규칙",
    "프롬프트",
    "التعليمات",
    "القواعد",
    "الأوامر",
    "निर्देश",
    "नियम",
]

_AI = (
    r"(?:ai|a\.i\.|assistant|chat ?bot|bot|llm|language model|copilot|gpt|agent|model|ki|ia|ии|нейросеть|"
    r"ассистент|помощник|助手|人工智能|アシスタント|어시스턴트|المساعد|الذكاء الاصطناعي|सहायक|एआई)"
)

SIGNALS: dict[str, list[re.Pattern[str]]] = {
    "override": [
        _near(_OVERRIDE_VERBS, _OVERRIDE_OBJECTS),
        re.compile(r"\b(?:ignore|disregard|forget)\s+(?:all|everything|anything)\b(?!\s+(?:i|we)\b)", _I),
        re.compile(r"\b(?:previous|prior|above|earlier|original|initial)\s+(?:instructions|prompts?|directives)", _I),
    ],
    "addressed_to_ai": [
        re.compile(
            r"\b(?:as|to|for|dear|attention|hey|hi|hello|note (?:to|for)|message (?:to|for)|memo to)\s+"
            rf"(?:the\s+|any\s+|an?\s+)?{_AI}\b",
            _I,
        ),
        re.compile(rf"\b{_AI}s?\s+(?:reading|processing|handling|summari[sz]ing|parsing|analy[sz]ing)\b", _I),
        re.compile(rf"\bif you (?:are|'re) an?\s+(?:\w+\s+)?{_AI}\b", _I),
        re.compile(r"\byou(?: are|'re) an?\s+(?:ai|large language model|language model|llm|chatbot)\b", _I),
        re.compile(r"(?:an die|liebe[rs]?|als) (?:KI|Assistent\w*)|(?:a la|para la|querida) IA\b", _I),
        re.compile(r"(?:à l'|pour l'|chère )IA\b|en tant qu'(?:IA|assistant)|all'IA\b|à IA\b|para a IA\b", _I),
        re.compile(
            "(?:для|дорогой|уважаемый) (?:ИИ|ассистент|бот)|给(?:AI|助手|模型)|致(?:AI|助手)|AIへ|AIさん|إلى المساعد",
            _I,
        ),
    ],
    "new_role": [
        re.compile(
            r"\byour (?:new|real|true|actual|only) (?:job|task|role|purpose|instructions?|goal|mission|objective|"
            r"directive|function|persona|identity)\b|\byou are now\b|\byou're now\b|\bfrom now on\b|\byou will now\b"
            r"|\byou must now\b|\bact as (?:an?|the|my|if)\b|\bpretend (?:to be|you are|you're|that you)\b|\brole-?play"
            r"|\byou are no longer\b|\byou're no longer\b|\b(?:switch|enter|activate|enable)\w* (?:\w+ )?mode\b",
            _I,
        ),
        re.compile(
            r"\bab (?:jetzt|sofort) (?:bist du|wirst du)|\bdu bist (?:jetzt|nun|ab sofort)"
            r"|\bdeine neue (?:Aufgabe|Rolle)"
            r"|\ba partir de ahora\b|\bahora eres\b|\btu nueva (?:tarea|función|misión)|\bà partir de maintenant\b"
            r"|\bdésormais,? tu\b|\btu es maintenant\b|\bta nouvelle (?:tâche|mission)|\bd'ora in poi\b|\bora sei\b"
            r"|\bil tuo nuovo compito\b|\ba partir de agora\b|\bagora você é\b|\bsua nova (?:tarefa|função)"
            r"|\bvanaf nu\b|\bod teraz\b|\bartık sen\b|теперь ты|отныне|твоя новая (?:задача|роль)"
            r"|从现在开始|你现在是|你的新任务|今から|これから.{0,10}(?:あなた|君)は|あなたの新しい|이제부터|"
            r"من الآن|أنت الآن|مهمتك الجديدة|अब से|अब तुम|तुम्हारा नया",
            _I,
        ),
    ],
    "exfiltrate": [
        _near(
            [
                r"\bprint\w*",
                r"\breveal\w*",
                r"\bshow\w*",
                r"\bdisplay\w*",
                r"\boutput\w*",
                r"\brepeat\w*",
                r"\btell\b",
                r"\bgive\b",
                r"\bshare\b",
                r"\bleak\w*",
                r"\bdump\w*",
                r"\blist\b",
                r"\bsend\b",
                r"\bspell out\b",
                r"\brecite\b",
                r"\becho\b",
                r"\bcopy\b",
                r"\bzeig\w*",
                r"\bgib\b",
                r"\bmuestr\w*",
                r"\brevel\w*",
                r"\bmostr\w*",
                r"\baffich\w*",
                r"\bdonne\w*",
                r"покажи\w*",
                r"выведи\w*",
                r"раскрой\w*",
                "显示",
                "输出",
                "告诉",
                "透露",
                "表示",
                "教えて",
                "出力",
                "보여",
                "أظهر",
                "اكشف",
                "दिखा",
                "बताओ",
            ],
            [
                r"\bsystem ?prompt",
                r"\byour (?:prompt|instructions|rules|guidelines|configuration|context|initial|hidden|secret|"
                r"original|full) ",
                r"\bhidden (?:prompt|instructions|text|rules)",
                r"\binitial (?:prompt|instructions)",
                r"\bdeveloper (?:message|prompt|instructions)",
                r"\bapi[ _-]?keys?",
                r"\bsecret(?:s| keys?)\b",
                r"\bcredentials\b",
                r"\baccess tokens?\b",
                r"\b(?:all|other|every) (?:customers?|users?|clients?)(?:'s?)? (?:e-?mails?|data|addresses"
                r"|records|details|"
                r"phone|names|accounts)",
                r"\bcustomer (?:database|list|records|data)\b",
                r"\binternal (?:notes|documents|policies|instructions|config)",
                r"\b(?:the )?(?:text|words|everything) above\b",
                r"\b(?:instructions|rules|text|prompt|messages?) (?:you were|you've been|you have been"
                r"|you got) (?:given|told)",
                r"\bcredentials (?:you|that you) use\b",
                r"\b(?:admin|administrator|root|master|staff|support) (?:password|login|credentials)\b",
                r"\bsecret key\b|\bapi tokens\b|\bconfig(?:uration)? (?:file|values|secrets)\b",
                r"\bconversation so far\b",
                r"systemprompt|systemanweisung|prompt del sistema|instrucciones del sistema|prompt système|"
                r"instructions système|prompt di sistema|prompt do sistema|системн\w* (?:промпт|инструкци\w*)",
                "系统提示",
                "系统指令",
                "提示词",
                "システムプロンプト",
                "시스템 프롬프트",
                "موجه النظام",
                "تعليمات النظام",
                "सिस्टम प्रॉम्प्ट",
            ],
            gap=50,
        )
    ],
    "coercion": [
        re.compile(
            r"\b(?:just|only|simply)\s+(?:print|say|output|write|reply|respond|type|answer|return)\b"
            r"|\b(?:respond|reply|answer|output)\s+(?:only\s+)?with\s+(?:exactly|only|the (?:word|phrase|text|string))"
            r"|\bsay exactly\b|\b(?:begin|start|end)\s+(?:your|the|each)\s+(?:reply|response|answer|output)\s+with\b"
            r"|\brepeat after me\b|\b(?:print|output|say|write)\s*:?\s*[\"'“«]"
            r"|\bdo not (?:add|include|write|say) anything else\b|\bnothing else\b"
            r"|\bwithout any (?:other|additional|extra) (?:text|words|explanation)",
            _I,
        ),
        re.compile(
            r"\b(?:reply|respond|answer|write back)\s+(?:only\s+)?in (?:the|this) (?:format|template)\b"
            r"|\byour (?:entire|whole|next|only|every|each) (?:reply|answer|response|message)s? "
            r"(?:must|should|shall|will)\b"
            r"|\b(?:start|begin|end|finish|sign) (?:every|each|all) (?:of your )?(?:replies|reply|messages?|sentences?|"
            r"answers?|responses?)\b|\bskip the (?:explanation|greeting|policy)\b|\b(?:one|single) word only\b"
            r"|\bonly (?:respond|reply|answer|output|write|print) (?:with|the)\b|\bno (?:other|extra|more) words\b"
            r"|\b(?:do not|don'?t) (?:explain|greet)\b|\bnothing more\b|\band stop\.",
            _I,
        ),
    ],
    "urgent_stop": [
        re.compile(
            r"\b(?:stop|halt|pause|cease|abort)\s+(?:everything|all|what you(?:'re| are) doing|now|immediately"
            r"|right now"
            r"|reading|processing)\b|\bnew (?:instructions?|task|orders|directive)\s*[:!]"
            r"|\bimportant (?:update|instructions?|notice|message)\s+(?:for|to)\s+(?:the\s+)?(?:ai|assistant|model|bot)"
            r"|\b(?:halt|stopp)\w* alles\b|\bdetente\b|\barrête tout\b|\bfermati\b|\bpare tudo\b|стоп|停止|止まれ|توقف",
            _I,
        )
    ],
    "fake_markup": [
        re.compile(
            r"<\|(?:im_start|im_end|system|user|assistant|endoftext)\|>|\[/?INST\]|<</?SYS>>|</?(?:system"
            r"|instructions?|"
            r"prompt|ticket|customer_message|user_input|context|admin)>|\"role\"\s*:\s*\"(?:system|developer)\""
            r"|#{2,}\s*(?:system|instructions?|new instructions?|response|admin)\b|-{3,}\s*(?:BEGIN"
            r"|END)\s+(?:SYSTEM|PROMPT|"
            r"INSTRUCTIONS|USER)|<!--[^>]{0,200}?(?:ai|assistant|instruction|model)[^>]{0,200}?-->"
            r"|\[(?:system|admin|developer)\]|\bend of (?:user|customer) (?:input|message|text)\b|\bBEGIN SYSTEM\b",
            _I,
        )
    ],
    "role_directive_line": [
        re.compile(
            r"(?:^|\n)\s*(?:system|developer|admin|root|operator)\s*(?:message|note|prompt)?\s*:[^\n]*?"
            r"\b(?:you|your|must|ignore|always|never|from now|do not|don't|obey|comply|override)\b",
            _I,
        )
    ],
    "role_line": [re.compile(r"(?:^|\n)\s*(?:system|assistant|ai|bot|user|human|developer)\s*:", _I)],
    "jailbreak": [
        re.compile(
            r"(?-i:\bDAN\b)|\bdo anything now\b|\bjailbr(?:eak|oken)\w*|\bdeveloper mode\b|\bgod mode\b|\bdebug mode\b"
            r"|\bno (?:restrictions|limits|limitations|rules|filters|guidelines|censorship|boundaries|ethics)\b"
            r"|\bunfiltered\b|\buncensored\b|\bunrestricted\b|\bwithout (?:any )?(?:restrictions|limits|filters|rules|"
            r"censorship|ethical|moral)\b|\bstay in character\b|\bbreak(?:ing)? character\b|\bcontent polic\w+"
            r"|\bethical guidelines\b|\bopposite (?:mode|day)\b|\bevil (?:ai|assistant|twin|mode|confidant)\b"
            r"|\bhypothetical\w* (?:scenario|story|response|ai)\b|\bfor (?:educational|research) purposes only\b"
            r"|\btwo (?:responses|answers)\b|\bsin (?:restricciones|filtros|reglas|límites)\b"
            r"|\bohne (?:Einschränkungen|"
            r"Filter|Regeln|Grenzen)\b|\bsans (?:restrictions|filtres?|règles|limites)\b|\bsenza (?:restrizioni|filtri|"
            r"regole|limiti)\b|\bsem (?:restrições|filtros|regras|limites)\b|без (?:ограничений|фильтров|правил"
            r"|цензуры)"
            r"|没有(?:任何)?限制|无限制|不受限制|制限なし|制限のない|제한 없는|بدون قيود|बिना किसी (?:प्रतिबंध|नियम)",
            _I,
        )
    ],
    "action_hijack": [
        re.compile(
            r"\b(?:approve|issue|grant|process|authori[sz]e)\s+(?:all|every|any|each)\s+(?:\w+\s+)?(?:refunds?"
            r"|credits?|"
            r"requests?|payments?|claims?)\b|\bwithout (?:any )?(?:verification|verifying|checking|approval|review|"
            r"asking|confirmation|authori[sz]ation)\b"
            r"|\b(?:send|forward|e-?mail|export|transfer|upload|post|copy|close|delete"
            r"|resolve)\s+(?:me\s+)?(?:all|every|each|"
            r"the entire|the whole)\s+(?:\w+\s+)?(?:customers?|tickets?|records|conversations?|data|database"
            r"|history|files|"
            r"accounts?|users)\b|\b(?:send|give|apply|add)\s+(?:a\s+)?\$?\d+\S*\s+(?:credit|refund|discount)s?\s+to\s+"
            r"(?:each|every|all)\b"
            r"|\bchange (?:the |their |his |her )?(?:recipient|account (?:e-?mail|owner)|payout|bank (?:account"
            r"|details)"
            r"|iban|e-?mail address (?:on|of|for) (?:the|this|another|their))"
            r"|\b(?:grant|give|make)\s+(?:me|this user|this account)\s+(?:\w+\s+)?(?:admin|administrator|root"
            r"|superuser|"
            r"full access)\b|\bmark (?:this|the|all|every) tickets? (?:as )?(?:resolved|solved|closed|urgent|vip)\b"
            r"|\b(?:delete|wipe|erase|drop) (?:all|every|the) (?:records|tickets|customers|data|logs|tables?)\b"
            r"|\bset (?:the )?(?:price|discount|balance|amount) (?:of [\w ]{1,30} )?to\b|\bmark (?:it|this"
            r"|the order) as paid\b",
            _I,
        )
    ],
    "directive_you": [
        re.compile(
            r"\byou (?:must|shall|are required to|have no choice but to|are instructed to|are ordered to)\b"
            r"|\b(?:do not|don't|never) (?:refuse|decline|warn|apologi[sz]e|mention (?:this|that|these)"
            r"|tell (?:anyone|the "
            r"(?:user|customer|agent|staff)))\b|\balways (?:answer|comply|respond|obey|agree)\b|\bobey\b|\bcomply with "
            r"(?:this|these|my|the following)\b",
            _I,
        )
    ],
    "decode_request": [
        re.compile(
            r"\b(?:decode|decrypt|translate|read|reverse|unscramble|convert)\b[^\n]{0,40}?(?:base ?64|rot-?13|hex|"
            r"binary|morse|backwards|caesar|cipher|and (?:follow|execute|run|do|obey|act))|\bbase64:|\brot-?13:",
            _I,
        )
    ],
    **INTENT_SIGNALS,
}
"""Signals that count for the classifier; ``role_line`` and ``decode_request`` are weak on their own."""

STRONG = ("override", "new_role", "exfiltrate", "fake_markup", "role_directive_line", "jailbreak")
"""Signals that name the model's instructions or role themselves: what neutralize() removes."""


_GATED = {name: [Gated(p) for p in patterns] for name, patterns in SIGNALS.items()}
"""Each pattern with the literals it needs (inbound_gate.py): most are skipped on most texts."""
_LITERALS = LiteralIndex(g for patterns in _GATED.values() for g in patterns)
_CAPS = re.compile(r"\b[A-Z]{3,}\b")

Span = tuple[str, int, int]


def signals(text: str) -> dict[str, int]:
    """How many times each signal family occurs (capped at 3: more says nothing new)."""
    return count_in(spans(text), 0, len(text), text)


@lru_cache(maxsize=4096)
def spans(text: str) -> tuple[Span, ...]:
    """Every match of every signal family as (family, start, end), leading whitespace skipped. A text's windows
    (inbound_model.window_spans) read their signals from these, so the patterns run once per view, not once per
    overlapping window. Cached: neutralize() re-reads the sentences of an attack."""
    present = _LITERALS.present(text.lower())
    out: list[Span] = []
    for name, patterns in _GATED.items():
        for p in patterns:
            if not p.passes(present):
                continue
            for m in p.pattern.finditer(text):
                matched = m.group()
                out.append((name, m.start() + len(matched) - len(matched.lstrip()), m.end()))
    return tuple(out)


def count_in(found: tuple[Span, ...], start: int, end: int, window: str) -> dict[str, int]:
    """The families matched wholly inside ``[start, end)`` with their counts (capped at 3), and ``shouting`` when
    ``window`` (that stretch's text) has four all-caps words and "!!"."""
    counts: dict[str, int] = {}
    for name, s, e in found:
        if s >= start and e <= end:
            counts[name] = min(counts.get(name, 0) + 1, 3)
    if "!!" in window and len(_CAPS.findall(window)) >= 4:
        counts["shouting"] = 1
    return counts
