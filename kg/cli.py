"""The `kg` command line: a thin shell over the library (`kg.build`, `kg.query`, `kg.stats`)."""

from __future__ import annotations

import functools
import logging
import os
import signal
import sys
import time
from pathlib import Path

import click

from . import __version__
from .errors import KGError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
FORMATS = ("table", "csv", "tsv", "json", "turtle")


def out_option(func):
    """The shared `--out DIR` option: where the graph is built and read from."""
    return click.option(
        "-o",
        "--out",
        default="kg-out",
        show_default=True,
        type=click.Path(path_type=Path),  # a file here is reported by kg, in one line
        help="Output folder of the graph (graph.ttl, graph.html, store/).",
    )(func)


def ontology_option(func):
    """The shared `--ontology FILE_OR_DIR` option (repeatable): extra ontology or knowledge-base files."""
    return click.option(
        "--ontology",
        "ontology",
        multiple=True,
        type=click.Path(exists=True, path_type=Path),
        help="Extra ontology or knowledge-base Turtle file or folder (repeatable).",
    )(func)


def user_errors(func):
    """Turn `kg` errors into a one-line message and exit code 1, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except KGError as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper


def server_options(func):
    """The shared options of a SPARQL server: the graph's name, the user and where the password is."""
    from .remote import GRAPH_IRI

    func = click.option(
        "--password-env", metavar="VAR", help="Environment variable holding the password (else a netrc file)."
    )(func)
    func = click.option("--user", metavar="USER", help="User name on the server.")(func)
    return click.option(
        "--graph", default=GRAPH_IRI, show_default=True, metavar="IRI", help="Named graph of the server."
    )(func)


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="kg")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
def cli(verbose: int) -> None:
    """Turn news articles about the AI industry into a knowledge graph, query it, and explore it.

    \b
    kg build articles/                 build kg-out/graph.ttl and kg-out/graph.html
    kg query 'SELECT ?s ?o WHERE { ?s kg:investsIn ?o }'
    kg stats                           what the graph holds
    kg open                            the graph page in the browser
    """
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="kg: %(levelname)s: %(message)s")


@cli.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@out_option
@ontology_option
@click.option(
    "--max-nodes",
    default=2000,
    show_default=True,
    type=click.IntRange(min=0),
    help="Most entities drawn on the page (0: all); the most important are kept.",
)
@click.option("--strict", is_flag=True, help="Fail the build if any input is skipped.")
@click.option(
    "-j",
    "--jobs",
    default=1,
    show_default=True,
    type=click.IntRange(min=0),
    help="Processes that analyse articles (0: one per core). The output does not depend on it.",
)
@click.option(
    "--cluster",
    metavar="ADDRESS",
    help="Analyse the articles on the workers of the Dask scheduler at ADDRESS (HOST:PORT) instead of "
    "--jobs processes; needs pip install 'kg[cluster]'. The output does not depend on it.",
)
@click.option("--no-cache", is_flag=True, help="Re-analyse every article instead of reusing OUT/cache/.")
@click.option(
    "--model",
    default="auto",
    show_default=True,
    metavar="NAME|PATH|auto|none",
    help="A spaCy model package or saved pipeline whose entities add names the knowledge base "
    "lacks ('auto': en_core_web_sm / pt_core_news_sm where installed; 'none': patterns only).",
)
@click.option(
    "--extractor",
    default="default",
    show_default=True,
    metavar="MODEL_DIR|default|none",
    help="The trained model that decides the facts: a folder made by `kg train`, the one shipped "
    "with kg ('default'), or 'none' for the patterns alone.",
)
@click.option(
    "--article-timeout",
    default=60.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Seconds one article's analysis may take; past it the article is skipped (0: no limit).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors (no progress bar, no summary).")
@user_errors
def build(paths, out, ontology, max_nodes, strict, jobs, cluster, no_cache, model, extractor, article_timeout, quiet):
    """Build the knowledge graph of every article under PATHS.

    Reads .txt, .md, .html/.htm (main text only), .json, .jsonl, WARC, RSS/Atom and gzipped
    files recursively, in Portuguese and English, and writes OUT/graph.ttl (Turtle), OUT/store/
    (for `kg query`) and OUT/graph.html.
    A file that cannot be read is reported and skipped; the previous graph stays intact
    if the build fails. Articles unchanged since the last build are taken from OUT/cache/.

    \b
    Examples:
      kg build articles/
      kg build news.jsonl more-news/ --out my-graph
      kg build articles/ --ontology my-companies.ttl
      kg build archive/ --jobs 0 --quiet
      kg build archive/ --cluster scheduler-host:8786
    """
    from .pipeline import build as run_build

    progress = _Progress(paths, enabled=not quiet and sys.stderr.isatty())
    previous = _stop_on_sigterm()
    try:
        report = run_build(
            paths,
            out,
            ontology=ontology,
            max_nodes=max_nodes or None,
            strict=strict,
            on_article=progress.step,
            on_stage=progress.stage,
            jobs=jobs,
            cache=not no_cache,
            model=model,
            extractor=extractor,
            article_timeout=article_timeout,
            cluster=cluster,
        )
    finally:
        progress.done()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    if quiet:
        return
    for skipped in report.skipped:
        click.echo(f"skipped {skipped.path}: {skipped.reason}", err=True)
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    languages = ", ".join(f"{n} {lang}" for lang, n in sorted(report.languages.items()))
    click.echo(f"read {report.articles} article(s) ({languages}); skipped {len(report.skipped)}")
    types = ", ".join(f"{n} {t}" for t, n in report.entities_by_type.items())
    click.echo(f"entities: {report.entities} ({types})")
    relations = ", ".join(f"{n} {r}" for r, n in report.facts_by_relation.items())
    click.echo(f"facts: {report.facts} ({relations})")
    click.echo(f"graph: {report.graph_path} ({report.triples} triples)")
    click.echo(f"page:  {report.page_path}")
    stages = ", ".join(f"{k} {v:.2f}s" for k, v in report.seconds.items() if k != "total")
    click.echo(f"took {report.seconds.get('total', 0):.2f}s ({stages})")


def _count_inputs(paths) -> int:
    """How many readable files lie under `paths` (cheap: names only), for the progress bar's ETA."""
    import os

    from .read import reader_kind

    total = 0
    for path in paths:
        path = Path(path)
        if path.is_file():
            total += 1
            continue
        for _root, dirs, files in os.walk(path):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            total += sum(1 for f in files if not f.startswith(".") and reader_kind(Path(f))[0])
    return total


def _stop_on_sigterm():
    """Turn SIGTERM into the same clean stop as Ctrl-C (temporaries removed, "Aborted!", exit 1).

    Returns the previous handler. Forked worker and page processes keep the default behaviour.
    """
    main_pid = os.getpid()

    def stop(signum, frame):
        if os.getpid() != main_pid:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)
            return
        raise KeyboardInterrupt

    try:
        return signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread (e.g. called from a test runner's thread)
        return None


class _Progress:
    """A one-line progress bar on a terminal (articles, rate, ETA), shown once a build takes over a second."""

    WIDTH = 24

    def __init__(self, paths, enabled: bool):
        self.enabled = enabled
        self.total = _count_inputs(paths) if enabled else 0
        self.count = 0
        self.started = time.perf_counter()
        self.last = 0.0
        self.shown = False

    def step(self, item) -> None:
        self.count += 1
        if not self.enabled:
            return
        now = time.perf_counter()
        elapsed = now - self.started
        if elapsed < 1.0 or now - self.last < 0.2:
            return
        self.last = now
        rate = self.count / elapsed
        total = max(self.total, self.count)
        filled = int(self.WIDTH * self.count / total) if total else 0
        eta = (total - self.count) / rate if rate else 0.0
        line = (
            f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {self.count}/{total} articles  "
            f"{rate:.1f}/s  ETA {_duration(eta)}"
        )
        click.echo(f"\r{line:<79}", nl=False, err=True)
        self.shown = True

    def stage(self, name: str) -> None:
        if self.enabled and (self.shown or time.perf_counter() - self.started > 1.0):
            elapsed = time.perf_counter() - self.started
            line = f"{self.count} articles in {_duration(elapsed)}; writing {name}..."
            click.echo(f"\r{line:<79}", nl=False, err=True)
            self.shown = True

    def done(self) -> None:
        if self.shown:
            click.echo("\r" + " " * 79 + "\r", nl=False, err=True)


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    return (
        f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        if seconds >= 3600
        else f"{seconds // 60}:{seconds % 60:02d}"
    )


@cli.command(context_settings=CONTEXT)
@click.argument("sparql")
@out_option
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="Output format (turtle for CONSTRUCT and DESCRIBE).",
)
@click.option(
    "--timeout", type=float, default=30.0, show_default=True, help="Seconds before a query is stopped (0: no limit)."
)
@click.option("--allow-update", is_flag=True, help="Allow SPARQL UPDATE to modify the store.")
@click.option("--endpoint", metavar="URL", help="Query this SPARQL 1.1 server instead of the local store.")
@server_options
@user_errors
def query(sparql, out, fmt, timeout, allow_update, endpoint, graph, user, password_env):
    """Run a SPARQL query (text or a .rq file) over the built graph.

    The prefixes kg, rdf, rdfs, owl, skos, prov, dcterms and xsd are declared already.
    The store is read-only unless --allow-update is given. With --endpoint the query goes to a
    SPARQL 1.1 server (reading the graph `kg push` loaded there), with the same checks.

    \b
    Examples:
      kg query 'SELECT ?who ?target WHERE { ?who kg:investsIn ?target }'
      kg query examples/queries/investments.rq --format csv
      kg query q.rq --endpoint http://127.0.0.1:7878/query
    """
    from . import query as run_query

    remote = {"endpoint": endpoint, "graph": graph, "user": user, "password_env": password_env} if endpoint else {}
    result = run_query(sparql, out, timeout=timeout or None, allow_update=allow_update, **remote)
    click.echo(result.to_format(fmt), nl=False)


@cli.command(context_settings=CONTEXT)
@out_option
@click.option("-n", "--top", default=10, show_default=True, help="How many of the most connected entities.")
@user_errors
def stats(out, top):
    """Entities by type, facts by relation and the most connected entities of the graph.

    \b
    Example:
      kg stats --out kg-out
    """
    from . import stats as run_stats

    result = run_stats(out, top=top)
    click.echo(f"articles: {result['articles']}")
    click.echo(f"entities: {result['entities']}")
    for name, n in result["entities_by_type"].items():
        if n:
            click.echo(f"  {name:<14}{n:>7}")
    click.echo(f"facts: {result['facts']} ({result['assertions']} evidence sentences)")
    for name, n in result["facts_by_relation"].items():
        if n:
            click.echo(f"  {name:<14}{n:>7}")
    click.echo("most connected:")
    for label, type_name, degree in result["most_connected"]:
        click.echo(f"  {label} ({type_name}): {degree}")


@cli.command(context_settings=CONTEXT)
@click.option(
    "--gold",
    "gold",
    required=True,
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of gold files (<id>.json, the `kg eval` format), each with its article beside it (repeatable).",
)
@click.argument("articles", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o",
    "--out",
    default="kg-extractor",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder the trained model is saved to.",
)
@click.option(
    "--folds", default=5, show_default=True, type=click.IntRange(min=0), help="Cross-validation folds (0: none)."
)
@click.option("--seed", default=13, show_default=True, type=int, help="Seed of the folds and the learner.")
@click.option("--no-rule-features", is_flag=True, help="Train without the patterns' verdicts as features.")
@ontology_option
@user_errors
def train(gold, articles, out, folds, seed, no_rule_features, ontology):
    """Train the extractor on annotated articles and save it.

    Each gold file <id>.json is matched with its article: <id>.txt (or .md, .html, .json)
    beside it or under ARTICLES. With --folds K, prints K-fold cross-validated precision,
    recall and F1 per relation and for amounts (folds by article), next to the patterns alone
    on the same folds. `kg build --extractor OUT` then uses the model.

    \b
    Examples:
      kg train --gold my-gold/ --out my-model
      kg build articles/ --extractor my-model
    """
    from .train import TrainConfig, report_lines
    from .train import train as run_train

    config = TrainConfig(seed=seed, folds=max(folds, 2), rule_features=not no_rule_features)
    model, cv = run_train(
        gold, [str(a) for a in articles], out=out, config=config, ontology=ontology, cross_validation=folds >= 2
    )
    for line in report_lines(model, cv):
        click.echo(line)
    click.echo(f"model: {out}")


@cli.command("eval", context_settings=CONTEXT)
@click.option(
    "--gold",
    "gold",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of gold files (<id>.json in the guidelines' format).",
)
@out_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a report.")
@click.option(
    "--errors/--no-errors",
    default=True,
    show_default=True,
    help="List the misses and false positives with their evidence.",
)
@user_errors
def eval_command(gold, out, as_json, errors):
    """Score the built graph against your own annotated articles.

    Prints precision, recall and F1 per entity type and per relation, the investment
    amounts found, and (by default) every miss and false positive with its evidence,
    so you can see why. The gold format is described in the README.

    \b
    Example:
      kg build my-annotated-articles/ --out kg-out
      kg eval --gold my-annotated-articles/ --out kg-out
    """
    import json

    from .evaluate import evaluate, load_gold
    from .store import load_graph

    report = evaluate(load_graph(out), load_gold(gold)).as_dict()
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    click.echo(f"{'':<22}{'P':>7}{'R':>7}{'F1':>7}{'tp':>5}{'fp':>5}{'fn':>5}")

    def row(name: str, r: dict) -> None:
        click.echo(
            f"{name:<22}{r['precision']:>7.3f}{r['recall']:>7.3f}{r['f1']:>7.3f}{r['tp']:>5}{r['fp']:>5}{r['fn']:>5}"
        )

    row("entities", report["entities"])
    for name, r in report["entities_by_type"].items():
        row("  " + name, r)
    row("core relations", report["core"])
    row("extended relations", report["extended"])
    for name, r in report["relations"].items():
        row("  " + name, r)
    amounts = report["amounts"]
    click.echo(f"investment amounts right: {amounts['right']}/{amounts['total']}")
    if not errors:
        return
    for title, key in (
        ("missed entities", "missed_entities"),
        ("false entities", "false_entities"),
        ("missed relations", "missed_relations"),
        ("false relations", "false_relations"),
    ):
        items = report[key]
        if not items:
            continue
        click.echo(f"\n{title} ({len(items)}):")
        for item in items:
            if key == "missed_entities":
                click.echo(f"  {item['type']} {item['id']} {item['names'][:3]} in {', '.join(item['articles'])}")
            elif key == "false_entities":
                click.echo(f"  {item['type']} {item['label']!r}: {item['why']}")
            elif key == "missed_relations":
                click.echo(
                    f"  {item['subject']} {item['relation']} {item['object']} ({item['article']}): {item['evidence']}"
                )
            else:
                click.echo(f"  {item['subject']} {item['relation']} {item['object']}")
                for line in item["evidence"]:
                    click.echo(f"      {line}")


@cli.command(context_settings=CONTEXT)
@out_option
@user_errors
def validate(out):
    """Check the built graph against the SHACL shapes shipped in ontologies/shapes.ttl.

    Exits with status 1 and prints the violations when the graph does not conform.

    \b
    Example:
      kg validate --out kg-out
    """
    from .store import load_graph
    from .validate import validate as run_validate

    conforms, text = run_validate(load_graph(out))
    if not conforms:
        raise click.ClickException("the graph does not conform to the shapes:\n" + text)
    click.echo("the graph conforms to the SHACL shapes")


@cli.command("open", context_settings=CONTEXT)
@out_option
@user_errors
def open_page(out):
    """Open the graph page in the default browser (or print its path where there is none).

    \b
    Example:
      kg open --out kg-out
    """
    from .errors import NoGraphError

    page = Path(out) / "graph.html"
    if not page.is_file():
        raise NoGraphError(f"no graph page in {out}: run `kg build ARTICLES --out {out}` first")
    import webbrowser

    uri = page.resolve().as_uri()
    try:
        opened = webbrowser.open(uri)
    except webbrowser.Error:
        opened = False
    click.echo(("opened " if opened else "open this page in a browser: ") + uri)


@cli.command(context_settings=CONTEXT)
@out_option
@click.option("--endpoint", required=True, metavar="URL", help="SPARQL endpoint of the server (see README).")
@server_options
@click.option("--store-endpoint", metavar="URL", help="Graph Store URL, where the endpoint does not imply it.")
@click.option("--update-endpoint", metavar="URL", help="SPARQL Update URL, where the endpoint does not imply it.")
@click.option("--full", is_flag=True, help="Send the whole graph even if the server holds the last push.")
@user_errors
def push(out, endpoint, graph, user, password_env, store_endpoint, update_endpoint, full):
    """Load the built graph into a SPARQL 1.1 server (Graph Store HTTP Protocol).

    The triples go to a staging graph in chunks, then one update switches the named graph to
    them, so readers never see half a graph. After an incremental build only what changed is
    sent. The password comes from --password-env or a netrc file, never from the command line.

    \b
    Examples:
      kg push --endpoint http://127.0.0.1:7878/query
      KG_PASSWORD=... kg push --endpoint http://db:8890/sparql-auth --user dba --password-env KG_PASSWORD
    """
    from .remote import push as run_push

    report = run_push(
        out,
        endpoint,
        graph=graph,
        user=user,
        password_env=password_env,
        store_endpoint=store_endpoint,
        update_endpoint=update_endpoint,
        full=full,
    )
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(
        f"{report.mode} push to <{report.graph}> at {report.endpoint}: {report.triples} triples"
        f" (+{report.added} -{report.removed}), {report.chunks} chunk(s), {report.bytes_sent:,} bytes"
        f" in {report.requests} request(s), {report.seconds:.2f}s"
    )


@cli.command(context_settings=CONTEXT)
@out_option
@click.option("--bind", default="127.0.0.1:7878", show_default=True, metavar="HOST:PORT", help="Address to listen on.")
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds before a query is stopped.")
@user_errors
def serve(out, bind, timeout):
    """Serve the built graph read-only over the SPARQL 1.1 Protocol, with the graph page.

    Queries go to /query (Oxigraph's server on OUT/store/), the page is at /. It listens on
    127.0.0.1 unless --bind names another address. Needs `pip install 'kg[server]'`.

    \b
    Examples:
      kg serve
      kg serve --bind 0.0.0.0:7878      # other machines too: an explicit choice
    """
    from .server import is_loopback, parse_bind
    from .server import serve as run_serve

    server = run_serve(out, bind, timeout=timeout)
    if not is_loopback(parse_bind(bind)[0]):
        click.echo(f"note: listening on {bind}: anyone who can reach it can query the graph", err=True)
    click.echo(f"page:   {server.url}\nSPARQL: {server.query_url}\n(Ctrl-C stops)")
    previous = _stop_on_sigterm()
    try:
        server.wait()
    except KeyboardInterrupt:
        server.close()
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":  # pragma: no cover
    cli()


@cli.command("read", context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(("jsonl", "text")),
    default="jsonl",
    show_default=True,
    help="One JSON object a line, or the text under a heading line.",
)
@user_errors
def read(paths, fmt):
    """Print what kg will analyse of each article under PATHS: id, path, title, text, lang, url, date, author.

    Reads every format `kg build` reads (HTML main text, WARC, feeds, gzip, JSON Lines…); skipped
    inputs are named on stderr.

    \b
    Examples:
      kg read page.html
      kg read crawl.warc.gz --format text | less
    """
    import json

    from .read import article_record, read_articles
    from .records import Skipped

    for item in read_articles(paths):
        if isinstance(item, Skipped):
            click.echo(f"skipped {item.path}: {item.reason}", err=True)
        elif fmt == "jsonl":
            click.echo(json.dumps(article_record(item), ensure_ascii=False))
        else:
            meta = " · ".join(x for x in (item.lang, item.published, item.author, item.url) if x)
            click.echo(f"# {item.id}: {item.title}\n({meta})\n\n{item.text}\n")
