"""The screening rules, as data: patterns over the normalised message (see ``safety.normalise``).

Each rule is ``(name, regex)``; the name is what review and eval show. Patterns favour recall for
crisis: a false alarm costs a visitor one extra line of resources, a miss can cost far more.
"""

from __future__ import annotations

FOLD = {
    r"\bsu[ic]+[iu]?d[ea]?l?\w*": "suicide",
    r"\bsuicde\w*|\bsucide\w*|\bsuiside\w*": "suicide",
    r"\bkil+\b": "kill",
    r"\bmy ?sel[fv]e?\b|\bmysefl\b|\bmyslef\b": "myself",
    r"\bwan+a\b|\bwana\b": "want to",
    r"\bgon+a\b": "going to",
    r"\bcant\b": "can't",
    r"\bwont\b": "won't",
    r"\bwasnt\b": "wasn't",
    r"\bwerent\b": "weren't",
    r"\bisnt\b": "isn't",
    r"\bhes\b": "he's",
    r"\bdont\b": "don't",
    r"\bim\b": "i'm",
    r"\byoure\b|\byour're\b|\bur\b": "you're",
    r"\bu\b": "you",
    r"\bpils\b": "pills",
    r"\bover ?dos\w*|\bod'?(?:e?d|ing)?\b": "overdose",
    r"\bsewer ?slide\w*|\bsuwuicide\b|\bsewerslid\w*": "suicide",
    r"\bdye\b": "die",
    r"\banymor\b": "anymore",
    r"\bporpose\b|\bpurpse\b|\bpurpos\b": "purpose",
    r"\bbreething\b|\bbreathin\b": "breathing",
    r"\bfreind\b|\bfrend\b": "friend",
    r"\bto many\b": "too many",
    r"\balot\b": "a lot",
    r"\brly\b": "really",
    r"\bshes\b": "she's",
    r"\bburnd\b|\bburnt\b": "burned",
    r"\bagian\b|\bagin\b": "again",
    r"\btonite\b|\btonigth\b": "tonight",
    r"\btok\b": "took",
    r"\bhart\b": "heart",
    r"\bracin\b": "racing",
    r"\bstrait\b": "straight",
}

CRISIS: tuple[tuple[str, str], ...] = (
    ("suicide", r"\bsuicide\b|\bkms\b|\bkys\b|\bunaliv\w*|\bctb\b|\bcatch the bus\b|"
     r"\b(si|suicidal ideation) (is|are) back\b|\bhave a plan\b.{0,30}\b(this time|to die|"
     r"to end)|\b(delete|erase|remove) myself\b|\bnot (to )?exist\b|\bstop existing\b"),
    ("kill-self", r"\b(kill|hurt|harm|shoot|hang|cut|starve|drown)(ing)? myself\b|\b(kill|hurt|"
     r"harm|shoot|hang)(ing|ed)? (himself|herself|themselves|themself)\b"),
    ("end-life", r"\b(end|take|ending|taking) (it all|my (own )?life|things|everything)\b|\bend "
     r"it (tonight|today|now|soon|all)\b|\b(going to|want to|gonna|will) end it\b"),
    ("want-die", r"\b(want|wish|wishing|ready|going|plan|planning) to (die|be dead|"
     r"disappear forever)"),
    ("better-dead", r"\bbetter off (dead|without me|gone)\b|\bno reason to (live|be here|stay)\b|"
     r"\bbetter off (if|when|once) i('m| am| was| were|'d)? ?(wasn't|weren't|not|gone|dead|"
     r"never)\b|\b(no longer|don't) (wish|want) to (continue|go on) (living|with life)\b|"
     r"\bmake it look like an accident\b|\bnot plan(ning)? on being (around|here|alive)\b|"
     r"\bhow (high|tall) (a |the )?(building|bridge|balcony|floor) (has|needs) to be\b|"
     r"\bwant the pain to stop (permanently|forever|for good)\b"),
    ("no-point", r"\b(no|what'?s the|don't see the|lost the) point (in |of )?(living|going on|"
     r"life|anymore|being alive|of anything|in anything|waking up|wake up|getting up|being "
     r"here|trying anymore|carrying on)"),
    ("not-wake", r"\b(not|never|don't want to|want to not|to just not) wake up\b"),
    ("nobody-miss", r"\b(nobody|no one|noone) (would|will|'d)? ?(miss|notice|care if) (me|i)"),
    ("self-harm", r"\bself[- ]?harm\w*|\bcutting (again|myself)|\bburn(ing)? myself|\bsh "
     r"urges\b|\burges? to (cut|hurt myself|self harm)|\b(got|get|have) the (blade|razor)"),
    ("overdose", r"\boverdose\b|\b(took|taken|swallowed|downed|ate) (like |about |maybe )?(a lot|"
     r"too many|too much|all|a bunch|a handful|a whole|my whole|\d{2,}|twenty|thirty|fifty)\b"
     r".{0,40}\b(pills|meds|tablets|bottle|capsules|troches|lozenges|supply|prescription)|"
     r"\b(took|swallowed|downed) all (of )?my \w+|\b(took|swallowed|downed|taken) my (whole|"
     r"entire) (week|weeks|month|bottle|supply|prescription|stash)\b|\b(on|with) purpose\b"
     r".{0,40}\b(pills|took|"
     r"swallowed|dizzy)|\bmore than (that|the lethal|what kills)|\b(before|until) it kills "
     r"(me|them|a person)|\bsaving (up )?(my |all my )?"
     r"(pills|meds)|\bstockpil\w*|\bhoard\w* (pills|meds)"),
    ("lethal", r"\b(lethal|deadly|fatal) (dose|amount)\b|\bhow (much|many).{0,40}\b(to die|to "
     r"not wake|kill (me|myself|someone))"),
    ("emergency", r"\b(won't|can't|isn't|not|cannot) (wake|waking|breathing|breathe|responsive|"
     r"responding)\b|\bunresponsive\b|\bpassed out and\b|\blips (look |are |turning )?(\w+ )?"
     r"blue\b|\bblue lips\b|\bseizing\b|\bbreathing (weird|strange|funny|slow|shallow)|"
     r"\bcollapsed\b|\bnot breathing right\b|\bhaving a seizure\b|\bchoking on\b|\bblue "
     r"around (the|his|her) (lips|mouth)\b|\bbarely breathing\b|\bthrowing up blood\b|"
     r"\bvomiting blood\b|\bcoughing up blood\b|\bchest pain\b|\b(arm|face|side) (went|is|"
     r"going) numb\b|\bcan't feel my (legs|arms|face)\b|\b(about to|going to) pass out\b|"
     r"\bcan't breathe\b|\bhard to breathe\b|\bheart is racing\b.{0,40}\b(can't|pain|"
     r"pass out|dying)|\btook a (ton|bunch|lot|handful) of\b|\bslurring\b.{0,30}\b(can't|won't)"),
    ("goodbye", r"\b(goodbye|suicide) (note|letter)s?\b|\bgave (away )?my (dog|cat|pets?) to\b"
     r".{0,80}\b(won't|not|need|anymore|longer)\b|\bcancel+ed my lease\b|\b(wrote|written|"
     r"writing) (my|a|the) "
     r"(goodbye|final|last)? ?(letters?|notes?)\b.{0,40}$|\bletters to my (kids|children|family|"
     r"wife|husband|parents)\b|\bupdated my will\b|\bgiving away (my|all my) (things|stuff|"
     r"belongings|possessions)|\blast message i'?ll (ever )?send\b|\bthis is (my|the) last "
     r"message\b|\bwon't be needing (it|anything) where i'm going\b|\bwhere i'm going\b.{0,30}"
     r"\b(won't|don't) need\b|\bsaying goodbye to everyone\b"),
    ("method", r"\bjump(ing)? (off|from) (a |the )?(bridge|building|roof)|\b(tall|high)est "
     r"(bridge|building)s?\b|\b(bridges?|buildings?|rooftops?)\b.{0,30}\b(tallest|highest)\b|"
     r"\bbuy (a )?gun\b.*\b(myself|end)|\bbought (a )?(rope|gun)\b|"
     r"\bthe gun is (on|in|loaded)|\blean over\b.{0,30}\b(too far|edge|balcony|railing)|"
     r"\b(balcony|ledge|railing|roof)\b.{0,60}\b(too far|jump|fall|easy it would be)|\btrain "
     r"tracks\b|\bhow i'?d do it\b|\bpicked a (day|date)\b|\b(get|buy) a gun\b.{0,60}\b("
     r"wait|fast|quick|today|tonight|not plan|myself)|\brope in the (garage|closet|car)\b|"
     r"\b(rope|noose)\b.{0,40}\b(ready|tied|garage|tonight)|\b(railing|edge|ledge) (on|of) (the|a) "
     r"(bridge|roof|building|overpass)\b|\bwon't step back\b"),
    ("harm-others", r"\b(kill|hurt|shoot|stab) (him|her|them|someone|somebody|people|my "
     r"(wife|husband|partner|kid|kids|mom|dad|boss|baby|son|daughter|coworkers?))\b|\burges? "
     r"to (hurt|harm|kill) (my |the )?(kids?|baby|children|son|daughter|partner|wife|husband|"
     r"someone)|\b(make|going to make) (them|him|her|my \w+) pay\b.{0,60}\b(gun|knife|"
     r"weapon)|\b(gun|knife|weapon)\b.{0,80}\bmake (them|him|her|my \w+) pay\b|\bmake (the "
     r"people|them|him|her|everyone)( who \w+( \w+)? (to me|me))? pay\b|\bi know where (they|he|"
     r"she) (live|lives|park|parks|works?)\b|\b(thinking about|thoughts of|fantasi\w+ about) "
     r"(hurting|killing|attacking|shooting|stabbing)\b"),
    ("abuse", r"\b(he|she|they|partner|husband|wife|boyfriend|girlfriend|dad|father|mom|mother|"
     r"stepdad|uncle|brother) (hits|hit|beats|beat|chokes|choked|is hurting|hurts|abuses|"
     r"abused|threw|pushed|kicked|strangled) me\b|\bbeing abused\b|\b(not|don't feel) safe "
     r"(at home|in my home|here)\b|\bafraid to go home\b|\blocks me (in|inside)\b|\bhas been "
     r"touching me\b|\b(touches|touched) me\b.{0,40}\b(don't want|without|scared)|\bnext time "
     r"(he|she)'?ll (finish|kill)|\bbeats me\b|\b(won't|doesn't|will not) let me (leave|go out|"
     r"out of)\b|\btook my (phone|keys)\b.{0,40}\b(won't|can't|locked|leave)|\b(banging|"
     r"pounding) on (my|the) door\b|\b(going|threatening|threatened) to (hurt|kill) me\b|"
     r"\bcomes into my room at night\b|\b(does|did) (stuff|things) to me\b|\bmolest\w*|"
     r"\braped?\b|\bsexual(ly)? (abus|assault)\w*"),
    ("cant-go-on", r"\bcan'?t (go on|do this anymore|keep going|take it anymore)\b|\bgive up on "
     r"(life|living)\b|\bdon't want to (live|be alive|exist|be here)\b|\b(tired|sick) of "
     r"being (alive|a burden)\b|\bburden to (everyone|my family|everybody)\b|\bnot (going to|"
     r"gonna) be (around|here|a problem)\b.{0,30}\b(long|longer|much longer)\b|\bdon't see "
     r"myself (being )?(around|here)\b|\bdone with (everything|life|it all)\b.{0,20}\b(for "
     r"good|forever)|\bgiving it until \w+\b.{0,60}\b(done|end|over)\b"),
)

# Added after the first blind set (evals/safety-blind.jsonl) showed what the first rules missed:
# general shapes, not its sentences.
CRISIS += (
    ("overdose-count", r"\b(took|swallowed|downed|ate|taken|popped) (like |about |maybe |around |"
     r"over |almost )?(\d{2,}|twenty|thirty|forty|fifty|a hundred)\b"),
    ("overdose-plan", r"\b(take|swallow|use|do) (it )?all (of it|of them|at once|of my|my)\b"
     r".{0,60}\b(tonight|today|don't|never|so i|end)|\bso i (just )?(don't|won't|never) (come|"
     r"wake) back\b|\bdon't come back from it\b"),
    ("there-now", r"\b(i'm|i am) (at|on|standing on|up on) (the|a) (bridge|roof|edge|tracks|ledge|"
     r"overpass|cliff)\b"),
    ("self-harm-act", r"\b(burned|cut|scratched|punched|hit|stabbed) myself\b|\b(cutting|burning) "
     r"(again|myself|my (arm|arms|legs|wrist))"),
    ("emergency-more", r"\b(won't|not|isn't|can't) (respond|answer|wake)\b.{0,40}\b(what do i do|"
     r"help|seizure|floor|breathing)|\b(shaking|convulsing|jerking|twitching) on the (floor|"
     r"ground)|\blike a seizure\b|\bface (is )?droop\w*|\bslurred speech\b"),
    ("threat", r"\bi('ll| will|'m going to|'m gonna| swear i'll| am going to) (kill|hurt|stab|"
     r"shoot|strangle|beat|run)( \w+)? (him|her|them|over|up)\b|\b(thought|planned) (through |"
     r"out )?exactly how\b"),
    ("abuse-now", r"\b(pounding|banging|kicking) on the \w+ door\b|\blocked myself in\b|\b(he|she)"
     r"('ll| will| said he'll| said she'll) (break|hurt|kill)\b"),
    ("third-party-suicidal", r"\b(not wanting|doesn't want|wants not) to (exist|live|be alive|be "
     r"here)\b|\btalking about (killing|ending|not wanting)|\b(won't|isn't|not) (pick|picking) "
     r"up\b.{0,80}\b(exist|die|suicide|kill|goodbye|love you)|\bsorry (mom|dad|everyone)\b.{0,20}"
     r"\blove you\b"),
    ("command-voices", r"\b(hear|hearing|heard) (a )?voices?\b.{0,60}\b(tell|telling|told) me (to|"
     r"that i have to)\b|\bhave to get rid of (her|him|the baby)\b"),
    ("method-euphemism", r"\bpainless\b.{0,60}\b(way|die|go|fall asleep|end)|\b(engine|car) "
     r"running\b.{0,60}\b(garage|closed|shut)|\bgarage\b.{0,60}\b(engine|exhaust)\b"),
    ("spanish", r"\bno quiero vivir\b|\bquiero morir\w*|\bmatarme\b|\bme quiero matar\b|\bno "
     r"quiero seguir\b|\bquitarme la vida\b|\btodas las pastillas\b"),
    ("not-around", r"\b(won't|will not|wont|not going to|won't even) be (around|here|alive)\b|"
     r"\bgiving (my|all my|away my) (things|stuff|belongings|possessions)( away)?\b|\b(everyone|"
     r"everybody|they)('ll| will) be better off (soon|without me|when i'm gone)\b"),
    ("lethal-question", r"\b(stop|stops|stopped) (my|their|your|a person's|someone's|the) heart\b|"
     r"\bshut down (my|your|their|the) liver\b|\b(tylenol|acetaminophen|paracetamol)\b.{0,60}\b"
     r"(liver|how many|take to)|\b(closed|shut) garage\b|\bgarage\b.{0,40}\b(car|engine) "
     r"running|\brunning a car\b.{0,40}\bgarage\b"),
    ("means-ready", r"\b(hid|hidden|got|have) (the|my) (blades|razor|pills|rope|gun)\b|\bgoing to "
     r"cut\b|\bwith a knife\b.{0,80}\b(outside|his|her|ex)|\b(outside|at) my ex'?s\b.{0,60}\b"
     r"(knife|gun)\b|\bbringing (my|a) (gun|knife|weapon) to\b|\bgoodbye\b.{0,80}\bpills\b"),
    ("minor-abuse", r"\bcoming into my room at night\b|\b(keeps|kept) coming into my room\b"),
    ("goodbye-more", r"\btell (the doctor|my (mom|dad|family|kids|wife|husband)|everyone)\b.{0,40}"
     r"\b(wasn't|not) (her|his|their|your) fault\b|\bthanks for everything\b.{0,60}\b(bridge|"
     r"goodbye|won't|last)"),
)

DRUGS = (
    r"lithium|maois?|ssris?|snris?|benzo\w*|xanax|klonopin|ativan|valium|alprazolam|clonazepam|"
    r"lorazepam|alcohol|booze|drinking|wine|beer|weed|cannabis|marijuana|adderall|ritalin|"
    r"stimulants?|lamictal|lamotrigine|prozac|zoloft|lexapro|paxil|celexa|effexor|cymbalta|"
    r"wellbutrin|bupropion|trazodone|seroquel|abilify|gabapentin|opioids?|oxy\w*|suboxone|"
    r"methadone|naltrexone|antipsychotics?|mood stabili[sz]ers?|birth control|viagra|my meds|"
    r"phenelzine|nardil|parnate|tranylcypromine|selegiline|emsam|lamotrigine|depakote|"
    r"topiramate|propranolol|clonidine|kratom|psilocybin|shrooms|mdma|"
    r"my medications?|my antidepressants?|my pills|my prescriptions?"
)

MEDICAL: tuple[tuple[str, str], ...] = (
    ("dose", r"\b\d+(\.\d+)?\s*(mg|milligrams?|mcg|ml|g|grams?|mg/kg)\b|\bdos(e|es|age|ing)\b|"
     r"\bmilligrams?\b|\bhow much (ketamine|k)\b|\bhow many (mg|troches|lozenges|pills)\b|"
     r"\bdouble (up )?(on )?(my |the |a )?(lozenge|troche|dose|spray|tablet)|"
     r"\bmg ?(per|/) ?kg\b|\b(extra|another|half a|more|second) (half )?(troche|lozenge|dose|"
     r"tablet|spray)|\bup my dose\b|\b(two|2|three|3|double|four|4) (troches|lozenges|doses|"
     r"sprays|tablets)\b|\b(higher|bigger|stronger|lower) dose\b|"
     r"\b(should|can|could|how do|how to) (i |you )?microdose\b|\bmicrodos\w* (ketamine|k)\b"),
    ("interaction", rf"\b(on|taking|take|takes|with|mix|mixing|combine|combining|and|plus|after|"
     rf"drink|while on|use|using|smoke|smoking|have|having|glass of|glasses of|cut back on|"
     rf"cut down on)"
     rf"( my| an?| the| any| some| a little)? ({DRUGS})\b|\b({DRUGS}) (and|with|plus|"
     rf"while|before|after|together with) (ketamine|kap|k|it|a session|the session|sessions|"
     rf"treatment)\b|\b({DRUGS}) (interact\w*|together|blocks?|affects?|weakens?|reduces?|"
     rf"cancels?|stops?)\b"),
    ("contraindication", r"\bpregnan\w*|\bbreast ?feed\w*|\bnursing\b|\bblood pressure\b|"
     r"\bbp (runs|is|of)\b|\b1\d\d ?/ ?\d{2,3}\b|\ba ?fib\b|\barrhythmi\w*|\bpalpitations\b|"
     r"\bpacemaker\b|\baneurysm\b|\bcardiac\b|\bhigh heart rate\b|\bthyroid\b|\bdiabet\w*|"
     r"\bhypertension\b|\bheart (condition|disease|problem|issue|attack)s?\b|\bpsychos[ie]s\b|"
     r"\bpsychotic\b|\bschizo\w*|\bbipolar\b|\bmania\b|\bseizures?\b|\bepilep\w*|\bliver\b|"
     r"\bkidneys?\b|\bbladder\b|\bglaucoma\b|\bstroke\b|\ballerg\w*"),
    ("change-meds", rf"\b(stop|stopping|quit|quitting|come off|coming off|taper|tapering|wean|"
     rf"weaning|skip|skipping|reduce|lower|change|switch)\b.{{0,30}}\b(med|meds|medication|"
     rf"medications|antidepressants?|pills|prescription|{DRUGS})\b"),
    ("get-ketamine", r"\b(where|how) (can|do|could|would) (i|you|someone) (get|buy|order|obtain|"
     r"find|score)\b.{0,20}\b(ketamine|k|troches|lozenges|it)\b|\bbuy(ing)? (ketamine|k)\b|"
     r"\bketamine (online|prescription)\b|\bcontraindicat\w*|\bheart rhythm\b|\batrial "
     r"fibrillation\b|\bprescribe me\b|\bships? (ketamine|troches|"
     r"lozenges)|\bwithout (a |having to see a |seeing a )?(doctor|prescription|prescriber)\b|"
     r"\border\b.{0,30}\b(ketamine|troches|lozenges)\b|\bwithout (doing )?(a |an )?(whole )?"
     r"(intake|screening|evaluation)\b"),
    ("use-alone", r"\b(take|taking|use|using|do|doing|try|trying)\b.{0,25}\b(ketamine|k|troches|"
     r"lozenges|it|them)\b.{0,20}\b(at home|by myself|alone|on my own|without (a|my) (doctor|"
     r"therapist|guide|anyone))|\bleftover (troches|lozenges|ketamine|doses)\b"),
    ("safety-verdict", r"\b(is|would|will) (ketamine|kap|it|this) (be )?(safe|dangerous|ok|okay|"
     r"risky) (for me|with my|if i have|for someone with|given my|for my)\b|\bsafe for me\b|"
     r"\b(rule|rules) me out\b|\bdangerous for my\b|\bam i "
     r"(a )?(good )?candidate (for|medically)\b.{0,30}\b(condition|medication|meds|diagnos)"),
)

SCOPE: tuple[tuple[str, str], ...] = (
    ("diagnose", r"\bdiagnos(e|is|ing) me\b|\bdo (you think )?i have (bipolar|adhd|ptsd|"
     r"depression|a disorder)\b|\bwhat (disorder|diagnosis) do i have\b"),
    ("injection", r"\b(ignore|disregard|forget) (all |any |the |your )?(previous|prior|above|"
     r"earlier|your) (instructions|rules|prompts?|directions)\b|\bsystem prompt\b|\byou are now\b"
     r"|\bjailbreak\b|\bdeveloper mode\b|\bnew instructions\b"),
    ("role-play", r"\b(pretend|act|role ?play|roleplay|speak|talk|answer|respond) (to be|as if "
     r"you were|as if you are|as|like you are|you are|you're)\b.{0,30}\b(therapist|"
     r"doctor|clinician|psychiatrist|counsell?or)\b|\bare you (the therapist|a real "
     r"person|human)\b"),
)

