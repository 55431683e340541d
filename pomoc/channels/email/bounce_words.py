"""The words of delivery reports: who sends them, how their subjects and texts say "failed" or
"delayed", and where they start quoting the returned mail. Used by ``classify``.

The phrases are what mail systems past and present write (Postfix, Exim, Sendmail, qmail, Exchange
and Outlook.com in their many languages, Lotus Domino, MDaemon, GroupWise, AOL, Yahoo, Gmail,
IMail/SMTP32, Novell, Courier, OpenSMTPD, the big ISPs' own ones), grouped by meaning rather than
by product, so that a report of a system not seen before is still told by its words. Languages:
English, German, French, Spanish, Italian, Dutch, Portuguese, Czech, Polish, Estonian, Finnish,
Swedish and Russian. The patterns are written in lower case and matched against lower-cased text
(``casefolded``): Python's ``re.IGNORECASE`` makes an alternation of this size several times slower.
"""

from __future__ import annotations

import re

_FLAGS = 0


def casefolded(text: str) -> str:
    """The text the patterns below are matched against."""
    return text.lower()


def _any(*phrases: str) -> str:
    return "(?:" + "|".join(phrases) + ")"


# --- who sends reports ------------------------------------------------------------------------------
# the local part of a mail system's address (matched at its start: "mailer-daemon2", "postmaster-ext")
SYSTEM_LOCAL_PARTS = (
    "mailer-daemon", "mailer_daemon", "mailerdaemon", "mail-daemon", "maildaemon", "postmaster", "post_master",
    "mdaemon", "mail.delivery.system", "mail-delivery-system", "microsoftexchange", "mailadmin", "mail-admin",
)
# the display name of a mail system (anywhere in the name)
SYSTEM_NAME = re.compile(
    _any(
        r"mail ?deliver(?:y)? ?(?:subsystem|system|service|agent)",
        r"mailer[- ]?daemon", r"\bpostmaster\b", r"system administrator", r"mail administrator",
        r"\bndr\b", r"e-?mail interconnect", r"mail router", r"courier mail server", r"mail ?system\b",
        r"internet mail (?:delivery|service)", r"^microsoft outlook$", r"^outlook$",
        r"\bgroupwise\b", r"\binterscan\b", r"\bmdaemon\b",
        r"syst[ée]m (?:pro )?doru[čc]ov[áa]n[íi] (?:po[šs]ty|zpr[áa]v)",  # cs
        r"system dostarczania poczty",  # pl
        r"kirjade kohaletoimetamise s[üu]steem|e-posti (?:s[üu]steem|server)",  # et
        r"e-?mail-?zustell(?:ung|system)|mail-?zustellsystem",  # de
        r"syst[èe]me de (?:distribution|remise) (?:du )?(?:courrier|messages)",  # fr
        r"sistema de (?:entrega|correo)",  # es
    ),
    _FLAGS,
)

# --- subjects ---------------------------------------------------------------------------------------
# A reply or forward ("Re:", "Fwd:", "AW:", "Odp:", "Vs:"…) of a report is a person writing about it
# (also behind a tag: "[Ticket 5521] Re: …", another help desk acknowledging such a mail).
REPLY_OR_FORWARD = re.compile(
    r"^\s*(?:\[[^\]]{0,40}\]\s*)?(?:re|aw|sv|vs|odp|od|pd|fw|fwd|wg|tr|rv|enc|vl|fs|doorst|antw|r|i)\s*"
    r"(?:\[\d+\]|\(\d+\))?\s*:", _FLAGS
)
FAILURE_SUBJECT = re.compile(
    _any(
        # en
        r"undeliver(?:ed|able)", r"returned mail", r"returned to sender", r"returning message to sender",
        r"mail delivery (?:failed|failure|problem|error)", r"delivery (?:failure|failed|error|problem)",
        r"delivery status notification:? ?\(?(?:failure|failed|error)\)?",
        r"delivery notification: delivery has failed",
        r"failure (?:notice|delivery)", r"failed delivery", r"non[- ]?deliver(?:y|able|ed)", r"nondelivery",
        r"(?:message|mail)s? (?:was |were |could )?not (?:be )?delivered", r"(?:message|mail) delivery has failed",
        r"mail system error", r"permanent delivery failure", r"error during delivery", r"mail failure",
        r"mail could not be delivered", r"could not deliver", r"mail failed,? returning", r"message bounced",
        # de
        r"unzustellbar", r"nicht zustellbar", r"zustellung fehlgeschlagen", r"fehlgeschlagene zustellung",
        r"nicht zugestellt", r"unzustellbare nachricht",
        # fr
        r"non remis", r"non distribuable", r"[ée]chec (?:de|lors de) (?:la )?(?:remise|distribution|livraison)",
        r"message non (?:d[ée]livr[ée]|remis|distribu[ée])", r"impossible de (?:remettre|distribuer)",
        # es
        r"no se (?:puede|pudo) entregar", r"(?:mensaje|correo) no entregad[oa]", r"(?:error|fallo) (?:en la )?entrega",
        r"no entregable", r"correo devuelto",
        # it, nl, pt
        r"non recapitabile", r"mancato recapito", r"impossibile recapitare", r"onbestelbaar", r"niet afgeleverd",
        r"n[ãa]o (?:foi )?(?:[ée] )?(?:poss[íi]vel )?entreg",
        # cs
        r"nedoru[čc]iteln", r"nedoru[čc]en", r"nelze doru[čc]it", r"nepoda[řr]ilo (?:se )?doru[čc]it",
        r"chyba (?:p[řr]i )?doru[čc]en", r"vr[áa]cen[áa] (?:zpr[áa]va|po[šs]ta)",
        # pl
        r"niedostarczaln", r"niedostarczon", r"nie (?:mo[żz]na|uda[łl]o si[ęe]) dostarczy[ćc]",
        r"nie zosta[łl]a dostarczona", r"b[łl][ąa]d dostarcz", r"zwrot wiadomo[śs]ci",
        # et
        r"k[äa]ttetoimetamatu", r"kohaletoimetamine eba[õo]nnestus", r"edastamine eba[õo]nnestus",
        r"ei (?:[õo]nnestunud|saanud) (?:kohale )?toimetada", r"tagastatud kiri",
        # fi, sv, ru
        r"ei voitu toimittaa", r"kunde inte levereras", r"ej levererat", r"недоставл", r"не доставлен",
    ),
    _FLAGS,
)
DELAY_SUBJECT = re.compile(
    _any(
        # en
        r"delayed mail", r"delivery (?:status notification )?\(?delay(?:ed)?\)?", r"delivery delay",
        r"delivery status notification: (?:delayed|warning)", r"warning: could not send message",
        r"warning: message .{0,60} delayed", r"still being retried", r"temporary delivery failure",
        r"message delayed", r"mail delivery delayed", r"delivery is delayed", r"not yet delivered",
        # de, fr, es
        r"verz[öo]gert", r"noch nicht zugestellt", r"retard", r"remise diff[ée]r[ée]e", r"retrasad[oa]",
        r"entrega demorada", r"retraso en la entrega",
        # cs, pl, et
        r"zpo[žz]d[ěe]n", r"zdr[žz]en", r"opo[žz]d[ěe]n", r"op[óo][źz]nion", r"op[óo][źz]nienie",
        r"viibi", r"hilineb", r"hilinenud",
    ),
    _FLAGS,
)
# a report subject that says neither (Courier's "NOTICE: mail delivery status.", "Delivery Status")
REPORT_SUBJECT = re.compile(
    r"^\s*(?:notice: )?(?:mail )?delivery (?:status|notification|report)(?: notification)?\b", _FLAGS
)

# --- texts ------------------------------------------------------------------------------------------
FAILURE_TEXT = re.compile(
    _any(
        # en: how systems say it
        r"this is the mail system at host", r"mail delivery software", r"this is the qmail-send program",
        r"delivery has failed to these recipients", r"did not reach some or all of the intended recipients",
        r"(?:could|can)(?:n'?t| ?not) (?:be )?deliver",
        r"(?:was|were|wasn't|weren't) (?:not )?(?:be(?:en)? )?delivered to",
        r"unable to deliver", r"undeliverable", r"undelivered", r"delivery to the following recipients? failed",
        r"delivery (?:has )?failed", r"failed permanently", r"permanent(?:ly)? (?:fatal )?(?:error|failure|failed)",
        r"fatal (?:delivery )?errors?", r"address(?:es)? (?:not found|failed|rejected)",
        r"following address\(es\) failed",
        r"recipient address rejected", r"(?:user|mailbox|recipient) (?:unknown|not found|unavailable|does not exist)",
        r"unknown (?:user|recipient|mailbox)", r"no such (?:user|mailbox|recipient)", r"not listed in",
        r"could not be reached", r"returned to (?:the )?sender", r"(?:has been |was )?removed from the (?:mail )?queue",
        r"giving up|given up|gave up", r"not accepting mail", r"error (?:has )?occurred while attempting to deliver",
        r"there was an error delivering", r"transcript of (?:the )?session", r"non-?delivery",
        r"rejected your message", r"message (?:was )?(?:rejected|blocked)", r"your message bounced",
        r"mailbox (?:is )?full|over quota|quota exceeded",
        # de
        r"konnte nicht (?:zugestellt|ausgeliefert) werden", r"nicht zustellbar", r"unzustellbar",
        r"zustellung (?:ist )?fehlgeschlagen", r"existiert nicht", r"unbekannte[rn]? (?:empf[äa]nger|benutzer)",
        # fr
        r"n'a pas (?:pu|p[ûu]) [êe]tre (?:remis|distribu|d[ée]livr|livr|achemin)", r"non remis",
        r"[ée]chec de (?:la )?(?:remise|distribution)", r"destinataire inconnu", r"adresse introuvable",
        r"n'existe pas",
        # es
        r"no (?:se )?(?:ha )?(?:podido|pudo|puede) (?:ser )?entreg", r"no (?:ha sido|fue) entregad",
        r"no entregad[oa]", r"destinatario desconocido", r"no existe",
        # it, nl, pt
        r"non (?:è stato possibile|[èe] stato) recapit", r"kon niet worden (?:afgeleverd|bezorgd)",
        r"n[ãa]o (?:p[ôo]de|foi poss[íi]vel) (?:ser )?entreg",
        # cs
        r"nepoda[řr]ilo (?:se )?doru[čc]it", r"nemohl[ao]? b[ýy]t doru[čc]en", r"nebyl[ao]? doru[čc]en",
        r"nelze doru[čc]it", r"nedoru[čc]iteln", r"neexistuje", r"nezn[áa]m[ýy] (?:adres[áa]t|p[řr][íi]jemce)",
        r"adresa nebyla nalezena",
        # pl
        r"nie (?:mo[żz]e|mog[łl]a|zosta[łl]a|uda[łl]o si[ęe]|mo[żz]na)(?: zosta[ćc])? dostarcz", r"niedostarcz",
        r"nie istnieje", r"nieznany (?:adresat|odbiorca)", r"adres(?:u)? nie (?:zosta[łl] )?znalezion",
        # et
        r"ei (?:[õo]nnestunud|saanud|saa) (?:kohale )?(?:toimetada|edastada)", r"k[äa]ttetoimetamatu",
        r"eba[õo]nnestus", r"ei ole olemas", r"tundmatu (?:adressaat|saaja)",
        # fi, sv, ru
        r"ei voitu toimittaa", r"kunde inte levereras", r"не (?:может быть|удалось|было) достав",
    ),
    _FLAGS,
)
DELAY_TEXT = re.compile(
    _any(
        # en
        r"(?:has been|is|was|being) delayed", r"will (?:continue|keep) (?:trying|to try|retrying|attempting)",
        r"will (?:be )?retr(?:y|ied)", r"still (?:trying|being retried)", r"no action is required",
        r"warning message only", r"warning only", r"(?:do not|don't) need to resend",
        r"could not send message for past", r"(?:has|have) not (?:yet )?been delivered yet",
        r"not (?:yet )?been delivered", r"delivery (?:will continue to be|is still being) attempted",
        r"temporar(?:y|ily) (?:failure|problem|error|unavailable)", r"delivery (?:attempts )?will continue",
        # de, fr, es
        r"verz[öo]gert", r"(?:wird|werden) (?:weiterhin|erneut) versucht", r"noch nicht zugestellt",
        r"retard[ée]", r"nouvelle tentative", r"continuer(?:a|ons)? (?:d'essayer|de tenter)",
        r"pas encore (?:[ée]t[ée] )?(?:remis|distribu)", r"retrasad",
        r"(?:seguir[áa] intentando|se volver[áa] a intentar)",
        r"a[úu]n no (?:se )?ha (?:sido )?entregad",
        # cs, pl, et
        r"zpo[žz]d[ěe]n", r"zdr[žz]en", r"bude se (?:d[áa]le )?(?:pokou[šs]et|opakovat)",
        r"zat[íi]m nebyl[ao]? doru[čc]en",
        r"op[óo][źz]nion", r"b[ęe]dzie (?:ponawia[ćc]|pr[óo]bowa[łl])", r"ponowi",
        r"jeszcze nie (?:zosta[łl]a )?dostarcz",
        r"viibi(?:nud|b)", r"hilineb", r"proovib (?:uuesti|edasi)", r"j[äa]tkab (?:proovimist|katseid)",
        r"pole (?:veel )?kohale toimetatud",
    ),
    _FLAGS,
)
# words that make a report final even when it also speaks of retrying
PERMANENT_TEXT = re.compile(
    _any(
        r"permanent", r"fatal", r"giving up|given up|gave up", r"removed from the (?:mail )?queue",
        r"\b5\.\d{1,3}\.\d{1,3}\b", r"\b5[0-5]\d[ -]", r"dauerhaft|endg[üu]ltig", r"d[ée]finitiv",
        r"trval[ée]|definitivn", r"trwa[łl]|na sta[łl]e", r"j[äa]davalt|l[õo]plikult", r"no longer (?:try|be retried)",
    ),
    _FLAGS,
)

# --- the returned mail ------------------------------------------------------------------------------
# where a report starts quoting the mail it returns ("--- Below this line is a copy of the message.",
# "------ This is a copy of the message, including all the headers.", "----- Original message -----")
ORIGINAL_MARKER = re.compile(
    r"^[ \t]*(?:[-=_*]{2,}[ \t]*)?(?:"
    + _any(
        r"below this line is a copy of the message", r"this is a copy of the message",
        r"original message(?: follows| headers?(?: follow)?)?", r"returned message",
        r"(?:un)?(?:sent|delivered|undelivered) message(?: below| follows)?", r"forwarded message",
        r"message headers follow", r"headers of the (?:original|returned) message", r"(?:original )?headers? follows?",
        r"the (?:header|text) of (?:the|your) (?:original )?message",
        r"(?:urspr[üu]ngliche|originale?) nachricht", r"message d'origine", r"message original",
        r"mensaje original", r"p[ůu]vodn[íi] zpr[áa]va", r"(?:oryginalna|pierwotna) wiadomo[śs][ćc]",
        r"algne kiri|esialgne kiri",
    )
    + r")",
    re.IGNORECASE | re.MULTILINE,
)
# a block of the returned mail's header fields quoted in the text, without a marker line before it
QUOTED_HEADER_BLOCK = re.compile(
    r"^(?:return-path|received|from|to|subject|date|message-id|mime-version|content-type):[^\n]*\n"
    r"(?:[ \t][^\n]*\n)*"
    r"(?:(?:return-path|received|from|to|cc|subject|date|message-id|mime-version|content-type|x-[\w-]+):[^\n]*\n"
    r"(?:[ \t][^\n]*\n)*){2,}",
    re.IGNORECASE | re.MULTILINE,
)
ORIGINAL_MESSAGE_ID = re.compile(r"^[ \t>]*(?:original[- ])?message-id:\s*(<[^<>\s]+>)", re.IGNORECASE | re.MULTILINE)
ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+")
MAIL_FROM_LINE = re.compile(r"(?:mail from:|envelope-from|x-postfix-sender:[^;]*;)\s*<?([^>\s]+)", re.IGNORECASE)
ENHANCED_STATUS = re.compile(r"(?<![\d.])([245]\.\d{1,3}\.\d{1,3})(?![\d.]*\d)")
