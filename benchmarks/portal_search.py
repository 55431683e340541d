"""Portal search over 10,000 knowledge-base articles in four languages, on SQLite and PostgreSQL,
beside the raw full-text query as the ceiling.

    .venv/bin/python benchmarks/portal_search.py                 (both databases, 10,000 articles)
    .venv/bin/python benchmarks/portal_search.py --quick         (2,000 articles, fewer queries)
    .venv/bin/python benchmarks/portal_search.py --database sqlite

SQLite lives in a temporary folder; PostgreSQL in its own database (``BENCH_DATABASE_URL`` with
``_portal_search`` appended, created when missing). Articles are indexed through
``pomoc.search.services.index`` (the code the knowledge base uses); texts are drawn from word lists
of English, Czech, Polish and Estonian with their diacritics. The queries are what visitors type:
one or two words, without diacritics, with one typo, and unfinished words (suggestions). Timed:

- ``portal``: ``kb.selectors.hits_for`` for an anonymous visitor (the search page: the visitor's
  language first, every language when that finds nothing, snippets and highlighting included);
- ``suggest``: ``search.selectors.suggest`` (the box's suggestions as you type);
- ``raw``: the bare full-text statement of the database for the same words (FTS5 ``MATCH`` with
  ``bm25`` / ``tsvector @@ tsquery`` with ``ts_rank_cd``, 20 rows): the ceiling.

Two corpora (``--corpus``): ``zipf`` (the default) draws each article's words from a vocabulary
of 3,000 words per language with Zipf's frequencies (the support words spread over its ranks, the
rest made of the language's syllables), as real texts are: a common word is in most articles, a
rarer one in a few hundred. ``uniform`` draws every word from the ~45 support words alone, so every
query matches about a quarter of all articles: the worst case for ranking, kept beside it.

Prints p50 and p95 per database beside the aim (p95 under 50 ms) and writes
``benchmarks/results/portal_search.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
sys.path.insert(0, str(REPO))
AIM_MS = 50.0

WORDS = {
    "en": "account sign password reset invoice payment refund order delivery parcel address profile e-mail "
          "phone code login settings language privacy data copy delete return goods warranty repair "
          "printer network connection error message update install browser mobile application card "
          "subscription plan cancel change download upload file report export team agent ticket".split(),
    "cs": "účet přihlášení heslo obnovení faktura platba vrácení objednávka doručení balík adresa profil "
          "telefon kód nastavení jazyk soukromí údaje kopie smazání zboží záruka oprava tiskárna síť "
          "připojení chyba zpráva aktualizace instalace prohlížeč mobilní aplikace karta předplatné změna "
          "stažení soubor přehled tým žádost dodací lhůta reklamace účtenka".split(),
    "pl": "konto logowanie hasło zmiana faktura płatność zwrot zamówienie dostawa paczka adres profil "
          "telefon kod ustawienia język prywatność dane kopia usunięcie towar gwarancja naprawa drukarka "
          "sieć połączenie błąd wiadomość aktualizacja instalacja przeglądarka aplikacja karta "
          "subskrypcja pobieranie plik raport zespół zgłoszenie żółw łódź źródło".split(),
    "et": "konto sisselogimine parool lähtestamine arve makse tagastus tellimus tarne pakk aadress profiil "
          "telefon kood seaded keel privaatsus andmed koopia kustutamine kaup garantii parandus printer "
          "võrk ühendus viga sõnum uuendus paigaldus brauser rakendus kaart tellimine allalaadimine "
          "fail aruanne meeskond pöördumine õigus jõulud müük".split(),
}


SYLLABLES = {
    "en": "ba be ca co da de fa fe ga go ha he la le ma me na ne pa pe ra re sa se ta te va ve wa we".split(),
    "cs": "ba bě ča če da dě ha ho ka ko la lé ma mě na ně pa pě ra ře sa ši ta tě va vě za žá ou ný".split(),
    "pl": "ba bę ca cz da dź ga gó ka ką la ło ma mą na ń pa pę ra rz sa śl ta tę wa wę za żó ki ny".split(),
    "et": "ba be da de ga ge ha he ka ke la le ma me na ne pa pe ra re sa se ta te va ve kõ lä mö tü".split(),
}
ZIPF_WORDS = 3000  # vocabulary per language in the zipf corpus


def _zipf_vocabulary(language: str) -> tuple[list[str], list[float]]:
    """The language's words in rank order with cumulative Zipf weights (s = 1): the support words at
    ranks spread evenly on a log scale from 3 to the end, made-up words of its syllables between."""
    rng = random.Random(f"vocabulary-{language}")
    support = list(dict.fromkeys(WORDS[language]))
    made, seen = [], set(support)
    while len(made) < ZIPF_WORDS - len(support):
        word = "".join(rng.choice(SYLLABLES[language]) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            made.append(word)
    ranks, last = [], -1
    for i in range(len(support)):  # distinct ranks: the first few would round to the same one
        last = max(round(3 * (ZIPF_WORDS / 3) ** (i / (len(support) - 1))) - 1, last + 1)
        ranks.append(last)
    vocabulary = made[:]
    for rank, word in zip(ranks, rng.sample(support, len(support)), strict=False):
        vocabulary.insert(min(rank, len(vocabulary)), word)
    weights, total = [], 0.0
    for rank in range(1, len(vocabulary) + 1):
        total += 1 / rank
        weights.append(total)
    return vocabulary, weights


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 articles and fewer queries")
    parser.add_argument("--articles", type=int, default=None)
    parser.add_argument("--queries", type=int, default=None)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--corpus", choices=["zipf", "uniform"], default="zipf",
                        help="zipf: words with natural frequencies (default); uniform: the worst case")
    parser.add_argument("--output", default=str(RESULTS / "portal_search.json"))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.articles = args.articles or (2_000 if args.quick else 10_000)
    args.queries = args.queries or (100 if args.quick else 400)
    return args


CORPUS = {"name": "zipf"}
_VOCABULARIES: dict[str, tuple[list[str], list[float]]] = {}


def _text(rng: random.Random, language: str, n: int) -> str:
    if CORPUS["name"] == "uniform":
        return " ".join(rng.choice(WORDS[language]) for _ in range(n))
    if language not in _VOCABULARIES:
        _VOCABULARIES[language] = _zipf_vocabulary(language)
    vocabulary, weights = _VOCABULARIES[language]
    return " ".join(rng.choices(vocabulary, cum_weights=weights, k=n))


def _typo(rng: random.Random, word: str) -> str:
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def _fill(n: int) -> None:
    from django.db import transaction

    from pomoc.search import services as search_index
    from pomoc.search.models import SearchDocument

    have = SearchDocument.objects.filter(kind="article").count()
    rng = random.Random(14)
    languages = list(WORDS)
    started = time.perf_counter()
    for start in range(have, n, 500):
        with transaction.atomic():  # one commit per batch: the bench measures searching, not fsync
            for i in range(start, min(n, start + 500)):
                _index_one(search_index, rng, languages, i)
    if n > have:
        print(f"  indexed {n - have} articles in {time.perf_counter() - started:.1f} s", flush=True)


def _index_one(search_index, rng, languages, i: int) -> None:
    if True:
        language = languages[i % 4]
        search_index.index("article", f"bench-{i}", language=language, title=_text(rng, language, 5).capitalize(),
                           body=_text(rng, language, 180), url=f"/kb/{language}/bench-{i}/", public=i % 20 != 0)


def _queries(rng: random.Random, count: int) -> list[tuple[str, str, str]]:
    """(kind, language, text) where kind is plain, folded, typo or prefix."""
    from pomoc.search.text import fold

    out = []
    kinds = ["plain", "two", "folded", "typo", "prefix"]
    for i in range(count):
        language = list(WORDS)[i % 4]
        word = rng.choice([w for w in WORDS[language] if len(w) >= 5 and "-" not in w])
        kind = kinds[i % len(kinds)]
        text = {"plain": word, "two": f"{word} {rng.choice(WORDS[language])}", "folded": fold(word),
                "typo": _typo(rng, fold(word)), "prefix": word[:4]}[kind]
        out.append((kind, language, text))
    return out


def _raw(text: str) -> None:
    from django.db import connection

    from pomoc.search.text import query_terms

    terms = query_terms(text)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT id FROM search_searchdocument d, to_tsquery('simple', %s) q WHERE d.vector @@ q "
                           "ORDER BY ts_rank_cd(d.vector, q) DESC LIMIT 20", [" & ".join(f"{t}:*" for t in terms)])
        else:
            cursor.execute("SELECT rowid FROM search_fts WHERE search_fts MATCH %s ORDER BY bm25(search_fts) "
                           "LIMIT 20", [" AND ".join(f'"{t}"*' for t in terms)])
        cursor.fetchall()


def child(args) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pomoc.settings")
    import django

    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from django.core.management import call_command
    from django.db import connection

    from pomoc.kb import selectors as kb
    from pomoc.search import selectors as search

    call_command("migrate", interactive=False, verbosity=0)
    CORPUS["name"] = args.corpus
    _fill(args.articles)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE search_searchdocument")
    rng = random.Random(7)
    queries = _queries(rng, args.queries)
    visitor = AnonymousUser()
    timings: dict[str, list[float]] = {"portal": [], "suggest": [], "raw": []}
    found = 0
    for _kind, language, text in queries[:20]:  # warm caches
        kb.hits_for(visitor, text, language)
    for _kind, language, text in queries:
        t = time.perf_counter()
        found += bool(kb.hits_for(visitor, text, language))
        timings["portal"].append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        search.suggest(text, language=language)
        timings["suggest"].append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        _raw(text)
        timings["raw"].append((time.perf_counter() - t) * 1000)
    return {"vendor": connection.vendor, "corpus": args.corpus, "articles": args.articles, "queries": len(queries),
            "answered": found, **{f"{name}_p50_ms": round(percentile(v, 50), 2) for name, v in timings.items()},
            **{f"{name}_p95_ms": round(percentile(v, 95), 2) for name, v in timings.items()}}


def _postgres_url(corpus: str) -> str:
    base = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pomoc_bench")
    url = base + "_portal_search" + ("" if corpus == "uniform" else f"_{corpus}")  # each corpus its own database
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(server + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return url


def main() -> None:
    args = parse_args()
    if args.child:
        print("RESULT " + json.dumps(child(args)), flush=True)
        return
    runs = []
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    for database in databases:
        env = dict(os.environ)
        env.pop("DATABASE_URL", None)
        folder = None
        if database == "postgres":
            env["DATABASE_URL"] = _postgres_url(args.corpus)
        else:
            folder = tempfile.mkdtemp(prefix="pomoc-bench-search-")
            env["POMOC_DATA_DIR"] = folder
        print(f"{database}: {args.articles} articles ({args.corpus} corpus), {args.queries} queries", flush=True)
        argv = [sys.executable, __file__, "--child", "--articles", str(args.articles), "--queries", str(args.queries),
                "--corpus", args.corpus]
        out = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
        for line in out.stdout.splitlines():
            if line.startswith("RESULT "):
                runs.append(json.loads(line[7:]))
            else:
                print(line)
        if out.returncode:
            print(out.stderr[-3000:])
            sys.exit(out.returncode)
    print(f"\n{'database':<10} {'articles':>8} {'portal p50':>11} {'portal p95':>11} {'suggest p95':>12} "
          f"{'raw p50':>8} {'raw p95':>8}   aim: p95 < {AIM_MS:.0f} ms")
    for run in runs:
        verdict = "ok" if run["portal_p95_ms"] < AIM_MS else "OVER"
        print(f"{run['vendor']:<10} {run['articles']:>8} {run['portal_p50_ms']:>9.1f}ms {run['portal_p95_ms']:>9.1f}ms "
              f"{run['suggest_p95_ms']:>10.1f}ms {run['raw_p50_ms']:>6.1f}ms {run['raw_p95_ms']:>6.1f}ms   {verdict}")
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps({"aim_p95_ms": AIM_MS, "runs": runs}, indent=2) + "\n")


if __name__ == "__main__":
    main()
