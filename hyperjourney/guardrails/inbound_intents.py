"""Intent signals: what a text asks the system to do, beyond the wording of classic overrides.

The first held-out set showed the misses were not phrasings but intents: asking past the controls around an
action ("no need to check", "don't log the change", "before the manager sees it"), asking for other people's
data or the system's secrets, pointing at the model's own setup ("the text before my message", "the prompt that
defines your behaviour"), and speaking about the AI in the third person ("if an LLM is drafting the answer").
Three families separate asking *about* the assistant from instructing it (asks_about_ai, operator_task,
vocative_imperative). Each family is evidence for the classifier (inbound_model.py), never a verdict on its own:
customers skip steps that are theirs to skip and ask about their own passwords; the classifier learns from the
hard negatives in the corpus how much each family counts, and counts pairs of families present together
(signal_features).
"""

from __future__ import annotations

import re

_I = re.IGNORECASE

_CONTROL = (
    r"(?:check(?:s|ing)?|verif\w*|review\w*|approv\w*|confirm\w*|audit\w*|log(?:s|ged|ging)?|record(?:ed|ing)?|"
    r"validat\w*|escalat\w*|flag\w*|the (?:usual|normal|standard) (?:process|procedure|steps?)|questions|"
    r"policy checks?)"
)

BYPASS_CONTROLS = [
    re.compile(
        rf"\b(?:skip(?:ping)?|bypass\w*|without(?: any)?(?: further| human| manual| prior| a)?"
        rf"|no need (?:to|for)(?: any)?|no(?: human| manual| further)?|don'?t|do not|never|avoid(?:ing)?)"
        rf"\s+(?:\w+\s+){{0,2}}?{_CONTROL}\b",
        _I,
    ),
    re.compile(
        r"\b(?:before|so that|so) (?:the |my |your |a |any )?(?:manager|supervisor|account manager|human|staff|team|"
        r"finance|billing|auditor|admin)\w* (?:sees?|reads?|notices?|finds? out|checks?|can)\b"
        r"|\b(?:nobody|no one|no-one)(?: will| would|'ll)? (?:notice|know|check|find out)\b"
        r"|\b(?:keep|leave) (?:it|this|that|the \w+) (?:off|out of) (?:the )?(?:log|logs|audit|record|books|history)\b"
        r"|\bquietly\b|\bsilently\b|\bbehind (?:their|his|her|the \w+'s) back\b"
        r"|\b(?:don'?t|do not|without) (?:tell|notify|inform|involv|alert|copy|cc)\w* (?:the |my |your |their |a )?"
        r"(?:old|current|previous|account|other|real)?\s?(?:owner|admin\w*|manager|supervisor|human|staff|billing|finance|"
        r"team|colleagues?|anyone|anybody|them|him|her|address|email|inbox|one)\b",
        _I,
    ),
    re.compile(
        r"ohne (?:\w+ )?(?:Prüfung|Rückfrage|Bestätigung|Kontrolle)|sin (?:verificar|comprobar|revisar|hacer preguntas|"
        r"verificación|control)|sans (?:vérifi\w+|contrôle|validation)|senza (?:verific\w+|controll\w+)"
        r"|sem (?:verifica\w+|checar|conferir)|bez (?:sprawdz\w+|weryfikac\w+|kontroli)|zonder (?:controle|verificatie)"
        r"|без (?:проверк\w+|подтверждени\w+)|никому не (?:сообщай|говори)"
        r"|(?:不用|无需|无须|不要|不必)(?:审核|检查|核实|确认)|確認(?:なし|せず|不要)|誰にも言わない"
        r"|(?:دون|بدون) (?:تحقق|مراجعة)|बिना (?:जाँच|जांच)|kontrol etmeden",
        _I,
    ),
]

_OWN = r"(?!(?:my|our|mine)\b)"
_PEOPLE = r"(?:customers?|clients?|users?|buyers|shoppers|members|accounts?|people|subscribers|employees|staff)"
_PERSONAL = (
    r"(?:e-?mails?(?: address(?:es)?)?|addresses|home address|phone(?: numbers?)?|numbers|names|passwords?|card"
    r"(?: details| numbers?)?|details|data|records|orders?|order history|contact (?:details|info)|notes|tickets?)"
)

OTHERS_DATA = [
    re.compile(
        rf"\b(?:other|another|all (?:the )?other|every other|all|every|each|the other)\s+{_OWN}(?:\w+\s+)?{_PEOPLE}"
        rf"(?:'s?)?\b(?:\s+(?:in|from|on|who|with|at)\b|[^.!?\n]{{0,30}}?\b{_PERSONAL}\b)",
        _I,
    ),
    re.compile(
        rf"\b{_PERSONAL}\s+(?:of|for|on)\s+(?:all|every|other|another|the other|your|the)\s+{_OWN}"
        rf"(?:\w+\s+)?{_PEOPLE}\b",
        _I,
    ),
    re.compile(
        r"\b(?:on file|registered|stored|saved) (?:for|on|to|under) (?:the |this |that )?(?:account|customer|user)\b"
        r"(?! (?:of )?(?:mine|i|we))"
        r"|\b(?:his|her|their|my (?:ex|ex-\w+|neighbou?r|friend|boss|colleague|sister|brother|husband|wife)'s)"
        r"(?: \w+)? (?:account|e-?mail|address|phone|password|card|order (?:details|status|history))\b"
        r"|\b(?:customer|client|user|subscriber|staff) (?:list|database|table|records|data(?:base)?|contacts?)\b"
        r"|\b(?:the )?customer (?:in|of|from|who (?:wrote|opened|ordered)) (?:ticket|order|before)\b",
        _I,
    ),
    re.compile(
        r"(?:anderer|aller|der anderen) Kunden|(?:demás|otros|todos los) clientes|(?:autres|tous les) clients"
        r"|(?:altri|tutti i) clienti|(?:outros|todos os) clientes|andere klanten|innych klientów|других (?:клиентов|"
        r"пользователей)|всех клиентов|список клиентов|(?:其他|所有)(?:客户|用户)|他の(?:顧客|お客様|ユーザー)|"
        r"(?:다른|모든) (?:고객|사용자)|(?:العملاء|عملاء) (?:الآخرين|جميع)|قائمة العملاء|(?:सभी|अन्य) ग्राहकों|"
        r"diğer müşteri|semua pelanggan|khách hàng khác|danh sách khách hàng|alla kunders|kundlista|klantenlijst",
        _I,
    ),
]

SECRETS = [
    re.compile(
        r"\b(?:api|access|secret|auth|bearer|session|recovery|webhook|signing|private|admin)[ _-]?(?:keys?|tokens?|"
        r"codes?|secrets?)\b|\bcredentials\b|\bconnection (?:string|url)\b|\benvironment variables\b|\benv vars\b"
        r"|\b(?:admin|administrator|root|master|staff|database|db|service|system) (?:password|login|pass)\b"
        r"|\b(?:password|credentials|keys?|tokens?|secrets?)\s+(?:you|that you|the bot|the assistant|your system|this "
        r"(?:bot|system)) (?:use|uses|have|has|hold|can access)\b"
        r"|\b(?:available|accessible) to (?:you|the bot|the ai)\b"
        r"|\byou (?:have|'ve got) access to\b",
        _I,
    ),
    re.compile(
        r"Zugangsdaten|Admin-?Passwort|contraseña (?:de|del) administrador|mot de passe (?:de l')?admin\w*|"
        r"password (?:dell')?amministratore|senha (?:do )?administrador|пароль администратора|管理员密码|"
        r"管理者(?:の)?パスワード|관리자 비밀번호|كلمة (?:مرور|سر) المسؤول|एडमिन पासवर्ड"
        r"|yönetici şifre\w*|hasło administratora",
        _I,
    ),
]

OWN_SETUP = [
    re.compile(
        r"\b(?:instructions?|rules|guidance|guidelines|directions|directives|briefing|setup|configuration|config|prompt|"
        r"orders|policies|message|text)\s+(?:that |which )?(?:you (?:were|have been|'ve been|got|received|are given)|"
        r"(?:were|was) (?:given|loaded|provided) to you|(?:that )?(?:define|defines|control|controls|govern|governs) "
        r"(?:you|your))"
        r"|\byour (?:setup|set-up|configuration|config|briefing|operating|standing|built-in|hidden|secret|internal|"
        r"initial|original|starting|underlying|base|company|corporate|developer|operator)\s+(?:\w+\s+)?"
        r"(?:text|rules|instructions|manual|orders|policies|guidance|prompt|message|briefing|settings|directives|"
        r"script|playbook|config(?:uration)?)\b"
        r"|\b(?:what|how) (?:were you|have you been|you were|you've been) (?:told|instructed|programmed|configured|"
        r"set up|briefed|trained)\b|\b(?:defines?|shapes?|controls?|governs?) (?:your|the assistant's|the bot's) "
        r"behaviou?r\b|\btells? you how to (?:behave|act|answer|respond)\b"
        r"|\b(?:text|everything|anything|what(?:ever)?(?: is| was)?(?: written)?) (?:before|above|preceding|prior to) "
        r"(?:my|this|the customer'?s?) (?:message|ticket|text|input)\b|\b(?:top|start|beginning) of (?:your|the|this) "
        r"(?:context|conversation|input|prompt)\b|\bcontext window\b|\byour (?:memory|context)\b",
        _I,
    ),
]

THIRD_PERSON_AI = [
    re.compile(
        r"\bif (?:you are|you're|this is|an?|the|your)\s+(?:\w+\s+)?(?:ai|a\.i\.|llm|bot|chat ?bot|model|"
        r"language model|assistant|automated|machine|gpt)\b"
        r"|\b(?:the|any|whatever|whichever|every|all)\s+(?:\w+\s+)?(?:ai|llm|bot|model|language model|assistant|agent|"
        r"copilot|system|tool|processor|reader)s?(?:'s?)?\s+(?:that |who |which )?(?:is |are )?"
        r"(?:reads?|reading|drafts?|drafting|process\w*|handl\w*|triag\w*|summari[sz]\w*|answer\w*|repl(?:y|ies|ying)|pars\w*|analy[sz]\w*)"
        r"|\b(?:reader|processor|recipient)s? of this (?:ticket|message|e-?mail|text|review|document)\b"
        r"|\b(?:ai|llm|model|bot)[- ]only\b|\bsince (?:an? |the )?(?:ai|bot|model|llm|machine) (?:drafts|writes|reads|"
        r"answers|handles)\b|\bautomated (?:assistant|system|agent|processor|reader|tool|model)s?\b"
        r"|\b(?:whoever|whatever|whoever or whatever|whatever or whoever)(?:'s model)? (?:reads|is reading|processes|"
        r"answers|handles) this\b|\breading this as an? (?:ai|bot|model|llm)\b",
        _I,
    ),
    re.compile(
        r"(?:^|[\n(\[]|[.!?]\s)\s*(?:(?:hey|hi|ok|okay|dear|yo|note|attention|ps|p\.s\.)\s+)?(?:ai|a\.i\.|assistant|bot|"
        r"chatbot|model|llm|copilot|agent|gpt)\s*(?:,|-|–|—)\s*(?:please |kindly |now )?(?:you|your|ignore|stop|do|"
        r"don'?t|reply|send|tell|show|print|share|give|forward|grant|issue|approve|add|mark|change|close|the|from|this|"
        r"output|write|include|reveal|list)\b",
        _I,
    ),
]

MORE_LANGUAGES = [
    re.compile(
        r"(?:bỏ qua|phớt lờ|quên)[^.!?\n]{0,30}(?:hướng dẫn|quy tắc|chỉ thị|lời nhắc)|(?:abaikan|lupakan|acuhkan)"
        r"[^.!?\n]{0,30}(?:instruksi|aturan|perintah|petunjuk|prompt)|(?:ignorera|glöm)[^.!?\n]{0,30}(?:instruktion\w*|"
        r"regler|systemprompt\w*)|(?:hiển thị|cho tôi xem|tiết lộ)[^.!?\n]{0,30}(?:hướng dẫn|lời nhắc)|(?:tampilkan|"
        r"tunjukkan|bocorkan)[^.!?\n]{0,30}(?:instruksi|prompt|aturan)|(?:visa|avslöja)[^.!?\n]{0,20}(?:systemprompt\w*|"
        r"instruktion\w*)",
        _I,
    ),
]

_AI_WORD = (
    r"(?:ai|a\.i\.|assistant|chat ?bot|bot|copilot|virtual agent|automation|auto-?responder|smart reply|ki|ia|"
    r"llm|gpt|chatgpt|summar(?:y|ies|i[sz]er)|ии|бот|чат-бот|ассистент|助手|机器人|聊天机器人|アシスタント|"
    r"チャットボット|챗봇|어시스턴트|روبوت|المساعد|चैटबॉट|सहायक|asystent|assistente|asistente|assistent)"
)

# Questions *about* the assistant, the bot or automation ("does your AI read my emails?", "how do I turn off the
# AI summary?"): the third held-out set's commonest false positive. An attack may open with one and then
# instruct; the pair features (inbound_model.signal_features) weigh the question with what follows it.
ASKS_ABOUT_AI = [
    # a sentence (anchored at its start: unanchored, the engine would retry from every character) naming the AI
    # and ending in a question mark
    re.compile(rf"(?:^|(?<=[.!?\n。？]))[^.!?\n。？]*\b{_AI_WORD}\b[^.!?\n。？]*[?？]", _I),
    re.compile(
        rf"\b(?:turn|switch|shut) (?:off|on)\b[^.!?\n]{{0,30}}\b{_AI_WORD}\b|\b(?:disable|deactivate|opt out of|stop)\b"
        rf"[^.!?\n]{{0,20}}\b{_AI_WORD}\b|\b(?:does|do|can|could|will|would|is|are|was|how|why|which|what|where|when)\b"
        rf"[^.!?\n]{{0,40}}\b(?:your|the|this|our)\s+(?:\w+\s+)?{_AI_WORD}\b",
        _I,
    ),
]

_TASK_OBJECT = (
    r"(?:e-?mails?|newsletters?|campaigns?|segments?|subject lines?|sms|push|reports?|banners?|journeys?|copy|offers?|"
    r"vouchers?|footers?|templates?|drafts?|briefs?|previews?|digests?|kpi\w*|dashboards?|statements?|price lists?|"
    r"send time|tone|brand (?:voice|guidelines)|hero image|cta|call to action|paragraph|reminders?|surveys?|"
    r"mail|kampagne|bericht|entwurf|betreffzeilen?|campagne|rapport|bannière|correo|campaña|segmento|informe|borrador|"
    r"campagna|bozza|relatório|rascunho|rapport|concept|raport|szkic|rapporten?|отч[её]т|письмо|сегмент|レポート|"
    r"メール|セグメント|报告|邮件|分群|rapor\w*|e-posta)"
)

# A marketer's or operator's task written as an instruction ("write an email to all lapsed customers", "ignore
# last week's segment"): an imperative aimed at a campaign object, not at the model, its secrets or other customers.
OPERATOR_TASK = [
    re.compile(
        r"(?:^|[\n.!?]\s*|\b(?:please|pls|kindly)\s+)(?:write|draft|send|resend|schedule|create|prepare|translate|"
        r"rewrite|redo|use|make|set|add|remove|pause|archive|swap|replace|drop|change|cancel|stop|move|email|segment|"
        r"ignore|forget|disregard|override|keep|schreib\w*|schick\w*|vergiss|ignorier\w*|écris|envoie|oublie|"
        r"escribe|envía|olvida|ignora|scrivi|manda|dimentica|escreva|envie|esqueça|schrijf|stuur|vergeet|negeer|"
        r"napisz|wyślij|zapomnij|zignoruj|skriv|skicka|glöm|напиши|отправь|забудь|yaz|gönder|unut)\b"
        rf"[^.!?\n]{{0,60}}?\b{_TASK_OBJECT}",
        _I,
    ),
]

# The AI named as the one spoken to, then an order ("assistant, list ...", "bot: issue ...", "KI: ignoriere ...").
VOCATIVE_IMPERATIVE = [
    re.compile(
        r"\b(?:ai|a\.i\.|assistant|bot|chatbot|copilot|agent|model|llm|smart reply|automation|summari[sz]er)\s*[,:]\s*"
        r"(?:(?:if|when|while)\b[^,:\n]{0,30}[,:]\s*)?(?:please |now |also |just |then )?(?:list|paste|print|show|"
        r"send|forward|issue|approve|change|copy|tell|reply|give|grant|mark|ignore|forget|disregard|use|include|"
        r"reveal|repeat|recite|refund|set|delete|apply|write|start|stop|close|export|make|add|you)\b",
        _I,
    ),
    re.compile(
        r"(?:^|[\s?.!])(?:KI|IA|AI|ИИ|[Бб]от|[Аа]ссистент|[Aa]systencie|[Aa]ssistente|[Aa]sistente|[Cc]hatbot|助手|AIへ)"
        r"\s*[:：,，]\s*(?!\d)",
    ),
]

INTENT_SIGNALS: dict[str, list[re.Pattern[str]]] = {
    "bypass_controls": BYPASS_CONTROLS,
    "others_data": OTHERS_DATA,
    "secrets": SECRETS,
    "own_setup": OWN_SETUP,
    "third_person_ai": THIRD_PERSON_AI,
    "override_more_languages": MORE_LANGUAGES,
    "asks_about_ai": ASKS_ABOUT_AI,
    "operator_task": OPERATOR_TASK,
    "vocative_imperative": VOCATIVE_IMPERATIVE,
}
"""Merged into inbound_signals.SIGNALS; none is STRONG, so none alone makes neutralize() drop a sentence."""
