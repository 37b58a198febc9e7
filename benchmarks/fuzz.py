"""Long fuzz runs: the expression parser, and the whole REST API through its OpenAPI document.

    parser   app.engine.expression.parse on ≥ 100,000 generated texts: hypothesis draws random characters,
             texts built from the grammar, mutations of those, and deep nesting; each drawn text is also
             cut, spliced and garbled into a few more with a seeded random generator (cheaper to make than
             to draw from hypothesis, so the run stays within minutes). Every text must either
             parse or raise ExpressionError; never another exception and never a RecursionError (not even
             one caught inside the parser). A text that parses must evaluate and backpropagate, and its
             canonical form must parse to the same tree. Reports the slowest parse.
    api      schemathesis against a real `python -m app` on 127.0.0.1 with the production caps: ≥ 2,000
             generated requests (valid and invalid) spread over every operation of /openapi.json. No
             response may be a 5xx. Reports status counts, the slowest request, and responses that do not
             match their documented schema.

Run: ``python benchmarks/fuzz.py`` (both), ``python benchmarks/fuzz.py parser --examples 100000``,
``python benchmarks/fuzz.py api --examples 2000``. The test suite keeps short bounded versions of both.
"""

from __future__ import annotations

import argparse
import contextlib
import heapq
import json
import math
import random
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.engine.expression import (  # noqa: E402
    ALIASES,
    CONSTANTS,
    FUNCTIONS,
    MAX_DEPTH_LIMIT,
    ExpressionError,
    parse,
)
from benchmarks.serving import HOST, free_port, start_server, stop_server  # noqa: E402

MAX_LENGTH, MAX_DEPTH = 500, 40  # the production caps (Settings.max_expression_length / _depth)
SLOWEST = 500


# ---------------------------------------------------------------------------------------------- parser
NAMES = [*FUNCTIONS, *CONSTANTS, *ALIASES, "x", "y", "z", "x1", "_a", "ab", "sinx", "xy", "e1", "inf", "nan"]
SYMBOLS = list("0123456789.eE+-*/^()xy ,;!_[]{}=<>|&%$#@~`'\"\\\t\n") + list("−·×⋅÷π²³¹⁰⁻⁺√∞ⅇ\u00a0\u200b\u202e")


def numbers() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(0, 10**30).map(str),
        st.floats(allow_nan=False, allow_infinity=False, min_value=0).map(repr),
        st.sampled_from(["1e999", "1e-999", ".5", "5.", "0.0", "00", "1e", "1e+", "1.2.3", "9" * 400]),
    )


def operands(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    spaced = st.sampled_from(["", " ", "  "])
    binary = st.tuples(
        inner, spaced, st.sampled_from(["+", "-", "*", "/", "^", "**", "−", "·", "×", "÷", ""]), spaced, inner
    )
    return st.one_of(
        binary.map("".join),
        st.tuples(st.sampled_from(["-", "+", "−", "--"]), inner).map("".join),
        st.tuples(st.sampled_from([*FUNCTIONS, "ln", "foo"]), inner).map(lambda t: f"{t[0]}({t[1]})"),
        inner.map(lambda t: f"({t})"),
        st.tuples(inner, st.sampled_from(["²", "³", "⁻¹", "²³", "⁻"])).map("".join),
        st.tuples(numbers(), inner).map(lambda t: f"{t[0]}{t[1]}"),  # implicit multiplication: 2x, 3(x+1)
    )


GRAMMAR = st.recursive(st.one_of(numbers(), st.sampled_from(NAMES)), operands, max_leaves=60)
JUNK = st.lists(st.one_of(st.sampled_from(SYMBOLS), st.sampled_from(NAMES), st.characters()), max_size=120).map("".join)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = list(draw(GRAMMAR))
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["insert", "delete", "replace", "duplicate"]))
        if edit == "insert" or not text:
            text.insert(at, draw(st.sampled_from(SYMBOLS)))
        elif edit == "delete":
            del text[min(at, len(text) - 1)]
        elif edit == "replace":
            text[min(at, len(text) - 1)] = draw(st.sampled_from(SYMBOLS))
        else:
            text[at:at] = text[at : at + draw(st.integers(1, 20))]
    return "".join(text)


@st.composite
def nested(draw: st.DrawFn) -> str:
    depth = draw(st.integers(0, 300))
    opener, closer = draw(
        st.sampled_from([("(", ")"), ("-", ""), ("sin(", ")"), ("x^", ""), ("2^(", ")"), ("+(", ")"), ("−", "")])
    )
    balanced = draw(st.booleans())
    return opener * depth + draw(st.sampled_from(["x", "1", "", "x²"])) + (closer * depth if balanced else "")


# Hand-written worst cases at the length cap: long chains of every construct the parser repeats.
ADVERSARIAL = [
    "x²" * 250,
    "x^" * 249 + "2",
    "-" * 499 + "x",
    "(" * 40 + "x" + ")" * 40 + "*x" * 209,
    "sin(" * 39 + "x" + ")" * 39 + "+x" * 150,
    "x+" * 249 + "x",
    "2x" * 250,
    "(x)" * 166,
    "9" * 500,
    "1e" + "9" * 498,
    "x" * 500,
    " " * 499 + "x",
    "−·" * 250,
]


@dataclass
class ParserReport:
    inputs: int = 0
    outcomes: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    recursion: list[str] = field(default_factory=list)
    roundtrip: list[str] = field(default_factory=list)
    slowest: list[tuple[float, str]] = field(default_factory=list)  # a min-heap of the SLOWEST slowest inputs
    seconds: list[float] = field(default_factory=list)

    def record_failure(self, bucket: list[str], text: str, what: str) -> None:
        if len(bucket) < 20:
            bucket.append(f"{what}: {text[:120]!r}")


def check_text(text: str, report: ParserReport) -> None:
    report.inputs += 1
    start = time.perf_counter()
    try:
        expression = parse(text, max_length=MAX_LENGTH, max_depth=MAX_DEPTH)
    except ExpressionError as error:
        if isinstance(error.__context__, RecursionError):
            report.record_failure(report.recursion, text, "RecursionError caught inside parse")
        report.outcomes[error.code] += 1
        return
    except RecursionError:
        report.record_failure(report.recursion, text, "RecursionError")
        return
    except Exception as error:  # anything else is a bug: the API would answer 500
        report.record_failure(report.failures, text, f"{type(error).__name__}: {error}")
        return
    finally:
        elapsed = time.perf_counter() - start
        report.seconds.append(elapsed)
        if len(report.slowest) < SLOWEST:
            heapq.heappush(report.slowest, (elapsed, text))
        elif elapsed > report.slowest[0][0]:
            heapq.heapreplace(report.slowest, (elapsed, text))
    report.outcomes["ok"] += 1
    try:
        again = parse(expression.to_string(), max_length=10**6, max_depth=MAX_DEPTH_LIMIT)
        if again.root != expression.root:
            report.record_failure(report.roundtrip, text, f"canonical form {expression.to_string()!r} differs")
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            output, _ = expression.evaluate(dict.fromkeys(expression.variables, 0.7))
            output.backward()
    except ExpressionError:
        pass
    except Exception as error:
        report.record_failure(report.failures, text, f"evaluate/backward {type(error).__name__}: {error}")


def garbled(text: str, rnd: random.Random) -> str:
    """``text`` with a few random edits: characters inserted, dropped, replaced, or a slice repeated."""
    chars = list(text)
    for _ in range(rnd.randint(1, 6)):
        at = rnd.randint(0, len(chars))
        edit = rnd.randrange(4) if chars else 0
        if edit == 0:
            chars[at:at] = rnd.choice(SYMBOLS + NAMES)
        elif edit == 1:
            del chars[at : at + rnd.randint(1, 3)]
        elif edit == 2:
            chars[min(at, len(chars) - 1)] = rnd.choice(SYMBOLS)
        else:
            chars[at:at] = chars[at : at + rnd.randint(1, 40)] * rnd.randint(1, 12)
    return "".join(chars)


def fuzz_parser(examples: int, seed: int, garbles: int = 9) -> ParserReport:
    """Draw examples / (1 + garbles) texts from hypothesis and check each with ``garbles`` garbled copies."""
    report = ParserReport()
    rnd = random.Random(seed)
    for text in ADVERSARIAL:
        check_text(text, report)
    print(f"  {'crafted':8} {len(ADVERSARIAL):>7,} inputs", flush=True)
    shares = [
        ("junk", JUNK, 0.35),
        ("grammar", GRAMMAR, 0.35),
        ("mutated", mutated(), 0.25),
        ("nested", nested(), 0.05),
    ]
    for name, strategy, share in shares:
        count = math.ceil(examples * share / (1 + garbles))
        before = report.inputs

        @settings(
            max_examples=count,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(strategy)
        def run(text: str) -> None:
            check_text(text, report)
            for _ in range(garbles):
                check_text(garbled(text, rnd), report)

        run._hypothesis_internal_use_seed = seed  # type: ignore[attr-defined]  # reproducible runs
        started = time.perf_counter()
        run()
        print(f"  {name:8} {report.inputs - before:>7,} inputs in {time.perf_counter() - started:5.1f} s", flush=True)
    return report


def _timed_parse(text: str) -> float:
    start = time.perf_counter()
    with contextlib.suppress(ExpressionError):
        parse(text, max_length=MAX_LENGTH, max_depth=MAX_DEPTH)
    return time.perf_counter() - start


def print_parser_report(report: ParserReport) -> bool:
    slowest = max(report.slowest)[0]
    # A loaded machine stalls a process now and then: time the slowest inputs again, best of 5 each.
    retimed, slowest_text = max((min(_timed_parse(text) for _ in range(5)), text) for _, text in report.slowest)
    times = np.array(report.seconds) * 1000
    print(f"inputs: {report.inputs:,}")
    print(f"parsed: {report.outcomes['ok']:,}; refused with ExpressionError: {report.inputs - report.outcomes['ok']:,}")
    print("refusals by code:", dict(report.outcomes.most_common()))
    print(
        f"parse time: mean {times.mean():.3f} ms, p99 {np.percentile(times, 99):.2f} ms, "
        f"p99.9 {np.percentile(times, 99.9):.2f} ms, max {slowest * 1000:.2f} ms"
    )
    print(
        f"the {len(report.slowest)} slowest inputs timed again (best of 5): at most {retimed * 1000:.2f} ms, "
        f"for this one ({len(slowest_text)} characters):"
    )
    print(f"  {slowest_text[:100]!r}{'…' if len(slowest_text) > 100 else ''}")
    print(f"other exceptions: {len(report.failures)}", *report.failures, sep="\n  ")
    print(f"RecursionError: {len(report.recursion)}", *report.recursion, sep="\n  ")
    print(f"canonical form parses differently: {len(report.roundtrip)}", *report.roundtrip, sep="\n  ")
    return not report.failures and not report.recursion


# ---------------------------------------------------------------------------------------------- API
@dataclass
class ApiReport:
    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    per_operation: Counter = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    transport_errors: list[str] = field(default_factory=list)
    nonconforming: Counter = field(default_factory=Counter)
    nonconforming_examples: list[str] = field(default_factory=list)
    slowest: tuple[float, str] = (0.0, "")


def _api_runner(
    strategy: st.SearchStrategy, label: str, base: str, examples: int, seed: int, report: ApiReport
) -> Callable[[], None]:
    """A hypothesis test that sends ``examples`` requests drawn from ``strategy`` and records the answers."""
    from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(case: Any) -> None:
        report.requests += 1
        report.per_operation[label] += 1
        try:
            response = case.call(base_url=base, timeout=300)
        except Exception as error:
            report.transport_errors.append(f"{label}: {type(error).__name__}: {error}"[:300])
            return
        report.statuses[response.status_code] += 1
        if response.elapsed > report.slowest[0]:
            report.slowest = (response.elapsed, f"{label} → {response.status_code}")
        if response.status_code >= 500:
            report.server_errors.append(f"{response.status_code} {case.as_curl_command()}"[:2000])
            return
        try:
            case.validate_response(response, checks=[response_schema_conformance, content_type_conformance])
        except (Exception, BaseExceptionGroup) as error:  # schemathesis reports failures as a group
            report.nonconforming[label] += 1
            first = error.exceptions[0] if isinstance(error, BaseExceptionGroup) else error
            example = f"{label}: {type(first).__name__}: {str(first).strip().splitlines()[0][:160]}"
            if example not in report.nonconforming_examples and len(report.nonconforming_examples) < 10:
                report.nonconforming_examples.append(example)

    run._hypothesis_internal_use_seed = seed  # type: ignore[attr-defined]
    return run


def fuzz_api(examples: int, seed: int) -> ApiReport:
    import schemathesis
    from schemathesis import GenerationMode

    port = free_port()
    server = start_server(port, {"BACKPROP_LOG_LEVEL": "warning"})
    report = ApiReport()
    try:
        base = f"http://{HOST}:{port}"
        schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
        operations = [result.ok() for result in schema.get_all_operations()]
        # Operations without parameters or body (GET /limits) have one possible request: the rest carry the count.
        varied = sum(1 for operation in operations if operation.method.upper() != "GET")
        per_mode = math.ceil(examples / varied / 2)
        print(f"  {len(operations)} operations × 2 modes (valid, invalid) × up to {per_mode} requests", flush=True)
        for operation in operations:
            label = f"{operation.method.upper()} {operation.path}"
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                run = _api_runner(operation.as_strategy(generation_mode=mode), label, base, per_mode, seed, report)
                with contextlib.suppress(Unsatisfiable):  # e.g. no invalid request exists for GET /limits
                    run()
            print(f"  {label:40} {report.per_operation[label]:>5} requests", flush=True)
    finally:
        stop_server(server)
    return report


def print_api_report(report: ApiReport) -> bool:
    print(f"requests: {report.requests:,}")
    print("statuses:", dict(sorted(report.statuses.items())))
    print(f"slowest: {report.slowest[0]:.2f} s ({report.slowest[1]})")
    print(f"5xx responses: {len(report.server_errors)}", *report.server_errors[:10], sep="\n  ")
    print(f"transport errors: {len(report.transport_errors)}", *report.transport_errors[:10], sep="\n  ")
    print(
        f"responses not matching their documented schema: {sum(report.nonconforming.values())}",
        *report.nonconforming_examples,
        sep="\n  ",
    )
    return not report.server_errors and not report.transport_errors and not report.nonconforming


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("target", nargs="?", choices=["parser", "api", "all"], default="all")
    parser.add_argument("--examples", type=int, help="parser inputs (default 100,000) or API requests (2,000)")
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()
    passed = True
    if args.target in ("parser", "all"):
        print("## parser", flush=True)
        started = time.perf_counter()
        report = fuzz_parser(args.examples or 100_000, args.seed)
        print(f"({time.perf_counter() - started:.0f} s)")
        passed &= print_parser_report(report)
    if args.target in ("api", "all"):
        print("\n## api", flush=True)
        started = time.perf_counter()
        api_report = fuzz_api(args.examples or 2_000, args.seed)
        print(f"({time.perf_counter() - started:.0f} s)")
        passed &= print_api_report(api_report)
    print(json.dumps({"passed": passed}))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
