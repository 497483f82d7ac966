"""Screening a message before any retrieval: crisis first, then medical advice. Pure and
deterministic: rules over a normalised form of the message (lower case, straight quotes,
common misspellings folded), so the same message always gets the same decision.

A crisis message never gets article text: it gets the crisis resources (``wording.CRISIS``).
A medical-advice request (doses, interactions, contraindications, changing medication, getting
ketamine, using it alone) gets ``wording.MEDICAL`` and never a dose or a yes/no safety verdict.
Requests outside the assistant's scope (a diagnosis, role-play as the therapist, instructions
aimed at the assistant) get the polite no-answer reply. The full safety layer (a semantic
screen, more evidence) builds on this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Verdict = Literal["", "crisis", "scope", "medical"]


@dataclass(frozen=True)
class Screen:
    verdict: Verdict
    rule: str = ""  # which rule decided, for review and eval; never shown to visitors


_FOLD = {
    r"\bsu[ic]+[iu]?d[ea]?l?\w*": "suicide",
    r"\bsuicde\w*|\bsucide\w*|\bsuiside\w*": "suicide",
    r"\bkil+\b": "kill",
    r"\bmy ?sel[fv]e?\b|\bmysefl\b|\bmyslef\b": "myself",
    r"\bwan+a\b|\bwana\b": "want to",
    r"\bgon+a\b": "going to",
    r"\bcant\b": "can't",
    r"\bwont\b": "won't",
    r"\bdont\b": "don't",
    r"\bim\b": "i'm",
    r"\byoure\b|\byour're\b|\bur\b": "you're",
    r"\bu\b": "you",
    r"\bpils\b": "pills",
    r"\bover ?dos\w*|\bod'?(?:e?d|ing)?\b": "overdose",
}

_CRISIS: tuple[tuple[str, str], ...] = (
    ("suicide", r"\bsuicide\b|\bkms\b|\bkys\b|\bunaliv\w*"),
    ("kill-self", r"\b(kill|hurt|harm|shoot|hang|cut|starve|drown)(ing)? myself\b"),
    ("end-life", r"\b(end|take|ending|taking) (it all|my (own )?life|things|everything)\b|\bend "
     r"it (tonight|today|now|soon|all)\b|\b(going to|want to|gonna|will) end it\b"),
    ("want-die", r"\b(want|wish|wishing|ready|going|plan|planning) to (die|be dead|"
     r"disappear forever)"),
    ("better-dead", r"\bbetter off (dead|without me|gone)\b|\bno reason to (live|be here|stay)\b"),
    ("no-point", r"\b(no|what'?s the|don't see the|lost the) point (in |of )?(living|going on|"
     r"life|anymore|being alive|of anything|in anything)"),
    ("not-wake", r"\b(not|never|don't want to|want to not|to just not) wake up\b"),
    ("nobody-miss", r"\b(nobody|no one|noone) (would|will|'d)? ?(miss|notice|care if) (me|i)"),
    ("self-harm", r"\bself[- ]?harm\w*|\bcutting (again|myself)|\bburn(ing)? myself"),
    ("overdose", r"\boverdose\b|\b(took|taken|swallowed|downed|ate) (like |about |maybe )?(a lot|"
     r"too many|too much|all|a bunch|a handful|a whole|\d{2,}|twenty|thirty|fifty)\b.{0,40}\b"
     r"(pills|meds|tablets|bottle|capsules)|\bsaving (up )?(my |all my )?"
     r"(pills|meds)|\bstockpil\w*|\bhoard\w* (pills|meds)"),
    ("lethal", r"\b(lethal|deadly|fatal) (dose|amount)\b|\bhow (much|many).{0,40}\b(to die|to "
     r"not wake|kill (me|myself|someone))"),
    ("emergency", r"\b(won't|can't|isn't|not|cannot) (wake|waking|breathing|breathe|responsive|"
     r"responding)\b|\bunresponsive\b|\bpassed out and\b|\bblue lips\b|\bseizing\b"),
    ("goodbye", r"\b(goodbye|suicide) (note|letter)s?\b|\b(wrote|written|writing) (my|a|the) "
     r"(goodbye|final|last)? ?(letters?|notes?)\b.{0,40}$"),
    ("method", r"\bjump(ing)? (off|from) (a |the )?(bridge|building|roof)|\b(tall|high)est "
     r"(bridge|building)s?\b|\bbuy (a )?gun\b.*\b(myself|end)"),
    ("harm-others", r"\b(kill|hurt|shoot|stab) (him|her|them|someone|somebody|people|my "
     r"(wife|husband|partner|kid|kids|mom|dad|boss))\b"),
    ("abuse", r"\b(he|she|they|partner|husband|wife|boyfriend|girlfriend) (hits|beats|chokes|"
     r"is hurting|hurts|abuses) me\b|\bbeing abused\b|\bnot safe at home\b"),
    ("cant-go-on", r"\bcan'?t (go on|do this anymore|keep going|take it anymore)\b|\bgive up on "
     r"(life|living)\b|\bdon't want to (live|be alive|exist|be here)\b"),
)

_DRUGS = (
    r"lithium|maois?|ssris?|snris?|benzo\w*|xanax|klonopin|ativan|valium|alprazolam|clonazepam|"
    r"lorazepam|alcohol|booze|drinking|wine|beer|weed|cannabis|marijuana|adderall|ritalin|"
    r"stimulants?|lamictal|lamotrigine|prozac|zoloft|lexapro|paxil|celexa|effexor|cymbalta|"
    r"wellbutrin|bupropion|trazodone|seroquel|abilify|gabapentin|opioids?|oxy\w*|suboxone|"
    r"methadone|naltrexone|antipsychotics?|mood stabili[sz]ers?|birth control|viagra|my meds|"
    r"my medications?|my antidepressants?|my pills|my prescriptions?"
)

_MEDICAL: tuple[tuple[str, str], ...] = (
    ("dose", r"\b\d+(\.\d+)?\s*(mg|milligrams?|mcg|ml|g|grams?|mg/kg)\b|\bdos(e|es|age|ing)\b|"
     r"\bmilligrams?\b|\bhow much (ketamine|k)\b|\bhow many (mg|troches|lozenges|pills)\b|"
     r"\b(should|can|could|how do|how to) (i |you )?microdose\b"),
    ("interaction", rf"\b(on|taking|take|takes|with|mix|mixing|combine|combining|and|plus|after|"
     rf"drink|while on)( my| an?| the| any| some)? ({_DRUGS})\b|\b({_DRUGS}) (and|with|plus|"
     rf"while|before|after|together with) (ketamine|kap|k|it|a session|the session|sessions|"
     rf"treatment)\b|\b({_DRUGS}) (interact\w*|together)\b"),
    ("contraindication", r"\bpregnan\w*|\bbreast ?feed\w*|\bnursing\b|\bblood pressure\b|"
     r"\bhypertension\b|\bheart (condition|disease|problem|issue|attack)s?\b|\bpsychos[ie]s\b|"
     r"\bpsychotic\b|\bschizo\w*|\bbipolar\b|\bmania\b|\bseizures?\b|\bepilep\w*|\bliver\b|"
     r"\bkidneys?\b|\bbladder\b|\bglaucoma\b|\bstroke\b|\ballerg\w*"),
    ("change-meds", rf"\b(stop|stopping|quit|quitting|come off|coming off|taper|tapering|wean|"
     rf"weaning|skip|skipping|reduce|lower|change|switch)\b.{{0,30}}\b(med|meds|medication|"
     rf"medications|antidepressants?|pills|prescription|{_DRUGS})\b"),
    ("get-ketamine", r"\b(where|how) (can|do|could|would) (i|you|someone) (get|buy|order|obtain|"
     r"find|score)\b.{0,20}\b(ketamine|k|troches|lozenges|it)\b|\bbuy(ing)? (ketamine|k)\b|"
     r"\bketamine (online|prescription)\b|\bprescribe me\b"),
    ("use-alone", r"\b(take|taking|use|using|do|doing|try|trying)\b.{0,25}\b(ketamine|k|troches|"
     r"lozenges|it)\b.{0,20}\b(at home|by myself|alone|on my own|without (a|my) (doctor|therapist"
     r"|guide|anyone))"),
    ("safety-verdict", r"\b(is|would|will) (ketamine|kap|it|this) (be )?(safe|dangerous|ok|okay|"
     r"risky) (for me|with my|if i have|for someone with|given my)\b|\bsafe for me\b|\bam i "
     r"(a )?(good )?candidate (for|medically)\b.{0,30}\b(condition|medication|meds|diagnos)"),
)

_SCOPE: tuple[tuple[str, str], ...] = (
    ("diagnose", r"\bdiagnos(e|is|ing) me\b|\bdo (you think )?i have (bipolar|adhd|ptsd|"
     r"depression|a disorder)\b|\bwhat (disorder|diagnosis) do i have\b"),
    ("injection", r"\b(ignore|disregard|forget) (all |any |the |your )?(previous|prior|above|"
     r"earlier|your) (instructions|rules|prompts?|directions)\b|\bsystem prompt\b|\byou are now\b"
     r"|\bjailbreak\b|\bdeveloper mode\b|\bnew instructions\b"),
    ("role-play", r"\b(pretend|act|role ?play|roleplay|speak|talk|answer|respond) (to be|as if "
     r"you were|as if you are|as|like you are|you are|you're)\b.{0,30}\b(dana|therapist|"
     r"doctor|clinician|psychiatrist|counsell?or)\b|\bare you (dana|the therapist|a real "
     r"person|human)\b"),
)

_CRISIS_RX = tuple((name, re.compile(rx)) for name, rx in _CRISIS)
_MEDICAL_RX = tuple((name, re.compile(rx)) for name, rx in _MEDICAL)
_SCOPE_RX = tuple((name, re.compile(rx)) for name, rx in _SCOPE)
_FOLD_RX = tuple((re.compile(rx), repl) for rx, repl in _FOLD.items())


def normalise(message: str) -> str:
    text = message.lower().replace("’", "'").replace("‘", "'").replace("`", "'")
    text = re.sub(r"[^a-z0-9'./ ]+", " ", text)
    text = re.sub(r"(.)\1{2,}", r"\1\1", text)  # "sooooo" → "soo"
    for rx, repl in _FOLD_RX:
        text = rx.sub(repl, text)
    return re.sub(r"\s+", " ", text).strip()


def screen(message: str) -> Screen:
    """Crisis wins over everything ("how many mg would it take to not wake up" is a crisis);
    then scope (diagnosis, role-play, instructions aimed at the assistant), then medical."""
    text = normalise(message)
    for name, rx in _CRISIS_RX:
        if rx.search(text):
            return Screen("crisis", name)
    for name, rx in _SCOPE_RX:
        if rx.search(text):
            return Screen("scope", name)
    for name, rx in _MEDICAL_RX:
        if rx.search(text):
            return Screen("medical", name)
    return Screen("")
