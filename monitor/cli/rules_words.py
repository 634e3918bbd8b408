"""`monitor rules`'s own lines in Swedish (the default) and English (`settings.language`);
the account of a match is rules/explain.py's."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "sv": {
        "headers": "OMRÅDE|TERMER|TRÖSKEL|KANAL|NAMN",
        "gate": (
            "\nRelevansspärren: {can} tecken på att en kommun kan delta, {against} emot, "
            "{out} som utesluter en post; tröskel {threshold}."
        ),
        "no_folder": "regelmappen {folder} finns inte",
        "give_text": "ge en text att testa, eller --file FIL",
        "reapplied": "Matchade {total} poster igen: {relevant} hör hemma i sammanställningen.",
        "not_labels": "{path}: inte en JSON-fil med etiketter ({detail})",
        "labels_shape": "{path}: väntade ett objekt med identifierare -> etikett",
        "give_labels": "ge en etikettfil, --feedback eller båda",
        "none_stored": (
            "ingen av de {n} etiketterade utlysningarna i {path} finns i databasen {db}: "
            "kör `monitor run` först, eller ange --db"
        ),
        "left_out": (
            "{missing} av de {n} etiketterade utlysningarna finns inte i databasen och "
            "lämnas utanför."
        ),
        "nothing_judged": (
            "gruppen har inte bedömt några utlysningar än: `monitor feedback` eller `monitor track`"
        ),
        "judged": "Gruppens bedömningar etiketterar {n} {noun}.",
        "call": "utlysning",
        "calls": "utlysningar",
        "nothing_to_train": (
            "ingen av de etiketterade utlysningarna finns i databasen och gruppen har inte "
            "bedömt någon: kör `monitor run`, eller ge etiketter med `monitor feedback`"
        ),
        "trained": (
            "Tränad på etiketterade utlysningar: {n} (relevanta: {relevant}, inte i "
            "databasen: {missing}, bedömda av gruppen: {judged}); vikter: {weights}."
        ),
        "wrote": (
            "Skrev {target}. Kör `monitor rules reapply` för att rangordna de lagrade "
            "posterna igen."
        ),
    },
    "en": {
        "headers": "AREA|TERMS|THRESHOLD|CHANNEL|NAME",
        "gate": (
            "\nRelevance gate: {can} signals that a municipality can take part, {against} "
            "against, {out} that rule an item out; threshold {threshold}."
        ),
        "no_folder": "the rules folder {folder} does not exist",
        "give_text": "give a text to test, or --file FILE",
        "reapplied": "Matched {total} items again: {relevant} belong in the digest.",
        "not_labels": "{path}: not a JSON label file ({detail})",
        "labels_shape": "{path}: expected an object of identifier -> label",
        "give_labels": "give a labels file, --feedback, or both",
        "none_stored": (
            "none of the {n} labelled calls in {path} is in the database {db}: "
            "run `monitor run` first, or give --db"
        ),
        "left_out": (
            "{missing} of the {n} labelled calls are not in the database and are left out."
        ),
        "nothing_judged": (
            "the group has judged no calls yet: `monitor feedback` or `monitor track`"
        ),
        "judged": "The group's judgements label {n} {noun}.",
        "call": "call",
        "calls": "calls",
        "nothing_to_train": (
            "none of the labelled calls is in the database and the group has judged none:"
            " run `monitor run`, or give labels with `monitor feedback`"
        ),
        "trained": (
            "Trained on {n} labelled calls ({relevant} relevant, {missing} not in the "
            "database, {judged} judged by the group): {weights} weights."
        ),
        "wrote": "Wrote {target}. Run `monitor rules reapply` to rank the stored items again.",
    },
}


def rules_words(language: str) -> dict[str, str]:
    return TEXTS.get(language, TEXTS["sv"])
