"""Who may apply, and the EU co-financing rate, as a call's conditions state them. Pure.

Reads the stored eligibility text (items.conditions: the portal's topic details, in English, or
a Swedish page's text) and recognises kinds of applicant: public bodies, local and regional
authorities, schools, NGOs and civil society, companies, universities and research
organisations, and a consortium of N partners from M countries. Only sentences that speak of
applying (eligible, applicants, may apply, sökande, kan söka...) are read, so a kind named in
passing elsewhere ("Model Grant Agreement", "take up in SMEs") is not taken for an applicant;
when nothing is stated the answer is empty, never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The kinds in the order a card names them; each pattern is English or Swedish.
KINDS: tuple[tuple[str, str], ...] = (
    (
        "local_regional",
        r"local (?:and regional |or regional )?(?:public )?authorit(?:y|ies)|regional authorit"
        r"(?:y|ies)|municipalit(?:y|ies)|city councils?|cities|\bLRAs?\b|\bkommun(?:er|erna)?\b|"
        r"\bregioner(?:na)?\b|lokala och regionala myndigheter|kommunalförbund",
    ),
    (
        "public",
        r"public (?:or private |and private )?(?:bodies|body|authorit(?:y|ies)|entit(?:y|ies)|"
        r"organi[sz]ations?|administrations?|institutions?|sector)|public or private|"
        r"\bmyndighet(?:er|erna)?\b|offentliga (?:organisationer|aktörer|verksamheter)|"
        r"offentlig sektor",
    ),
    (
        "private",
        r"(?:public or |public and )?private (?:bodies|body|entit(?:y|ies)|organi[sz]ations?)|"
        r"public or private",
    ),
    (
        "schools",
        r"\bschools?\b|school education|pre-?schools?|kindergartens?|\bVET providers?|"
        r"\bskol(?:or|orna|huvudmän)\b|\bförskol(?:or|orna)\b|gymnasieskol(?:or|orna)",
    ),
    (
        "ngo",
        r"\bNGOs?\b|non-governmental organi[sz]ations?|non-profit organi[sz]ations?|"
        r"not-for-profit|civil society|ideella (?:föreningar|organisationer)|civilsamhälle|"
        r"\bföreningar\b",
    ),
    (
        "companies",
        r"\bSMEs?\b|\bcompan(?:y|ies)\b|\benterprises?\b|\bbusinesses\b|for-profit|\bföretag\b|"
        r"\bSMF\b",
    ),
    (
        "research",
        r"universit(?:y|ies)|higher education institutions?|research (?:organi[sz]ations?|"
        r"institutes?|centres?|centers?|performing)|\buniversitet(?:en)?\b|\bhögskol(?:or|an)\b|"
        r"lärosäten|forskningsinstitut|forskningsorganisationer",
    ),
)
_KIND_RES = tuple((kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in KINDS)

# Sentences that speak of who applies; only these are read.
_CUE = re.compile(
    r"eligib|applicants?\b|may apply|can apply|open to|beneficiar|consorti|must be submitted by|"
    r"sökande|kan söka|får söka|kan sökas|kan ansöka|får ansöka|söka stöd|stödberättigad|"
    r"riktar sig till|målgrupp",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9(])")

_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "en": 1, "ett": 1, "två": 2, "tre": 3, "fyra": 4, "fem": 5,
    "sex": 6, "sju": 7, "åtta": 8, "nio": 9, "tio": 10,
}  # fmt: skip
_N = r"(\d{1,2}|" + "|".join(_NUMBERS) + r")"
_CONSORTIUM = (
    re.compile(
        rf"at least {_N} (?:[\w-]+ ){{0,4}}?(?:applicants|partners|entities|organi[sz]ations|"
        rf"beneficiaries|participants)\b(?:[^.]{{0,80}}?\bfrom (?:at least )?{_N} "
        rf"(?:[\w-]+ ){{0,3}}?(?:countries|member states|states)\b)?",
        re.IGNORECASE,
    ),
    re.compile(
        rf"minst {_N} (?:[\w-]+ ){{0,3}}?(?:parter|partner|organisationer|aktörer|sökande)\b"
        rf"(?:[^.]{{0,80}}?\bfrån (?:minst )?{_N} (?:[\w-]+ ){{0,2}}?länder)?",
        re.IGNORECASE,
    ),
)
_RATE = re.compile(
    r"(?:co-?financing|co-?funding|funding rate|reimbursement rate|medfinansiering|stödandel|"
    r"stödnivå)[^.%]{0,60}?(\d{1,3})\s?%|(\d{1,3})\s?%[^.%]{0,40}?(?:co-?financing|co-?funding|"
    r"funding rate|reimbursement rate|medfinansiering|of (?:the )?eligible costs|av de "
    r"stödberättigande kostnaderna)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Applicants:
    """Who may apply: kinds (keys of KINDS) and a consortium's least size and countries."""

    kinds: tuple[str, ...] = ()
    partners: int | None = None  # "at least N partners"
    countries: int | None = None  # "... from M countries"

    def __bool__(self) -> bool:
        return bool(self.kinds or self.partners)


def applicants(conditions: str | None) -> Applicants:
    """The applicants the text states; empty when it states none."""
    passages = _eligibility_passages(conditions or "")
    if not passages:
        return Applicants()
    text = " ".join(passages)
    kinds = [kind for kind, pattern in _KIND_RES if pattern.search(text)]
    if "private" in kinds and "companies" in kinds:
        kinds.remove("private")  # "private companies" says more than "private bodies"
    partners = countries = None
    for pattern in _CONSORTIUM:
        if found := pattern.search(text):
            partners = _number(found.group(1))
            countries = _number(found.group(2)) if found.group(2) else None
            break
    return Applicants(tuple(kinds), partners, countries)


def cofinancing_rate(conditions: str | None) -> int | None:
    """The EU co-financing (funding) rate in percent, where the text states one beside the
    words "co-financing", "funding rate" and the like; a bare "90%" is not one."""
    found = _RATE.search(conditions or "")
    if not found:
        return None
    rate = int(found.group(1) or found.group(2))
    return rate if 0 < rate <= 100 else None


def _eligibility_passages(text: str) -> list[str]:
    sentences = _SENTENCE_END.split(" ".join(text.split()))
    passages = []
    for index, sentence in enumerate(sentences):
        if _CUE.search(sentence):
            passages.append(sentence)
            if sentence.rstrip()[-1:] in (":", "?") and index + 1 < len(sentences):
                # A heading ("Vem kan söka?", "Eligible applicants:") and its answer.
                passages.append(sentences[index + 1])
    return passages


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBERS[word.lower()]
