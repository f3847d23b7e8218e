"""Crash safety of every write path: a process killed (SIGKILL) at a random moment while it loads a package into
a store, ingests into it (FEC, the market-share ingests ETO and Epoch chips, Open States bills), writes a data
package (``--out`` of the ingests and of sec-facts) or writes the report leaves the store or the output folder
exactly as before or exactly as after, never in between.

Each write is first run to the end in this process (its time sets the range of kill delays and its result is
the "after" state); each trial then forks a child that runs it and is killed after a seeded random delay.
(The 13F ingest only reads: it writes neither the store nor a file.)"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from marketpower.ingest import fec
from marketpower.ingest.datapackage import read_package, write_package
from marketpower.ingest.fec import ingest_fec
from marketpower.ingest.openstates import ingest_bills
from marketpower.publish.report import build_report
from marketpower.schema import TABLES
from marketpower.store import Store

TRIALS = 3
SEED = 20261203
#: Columns that differ between two runs of the same write by design (time of loading, random folder names).
VOLATILE = {"fec_manifest": ("loaded_at", "load_dir"), "_package": ("path",)}

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork() to kill a writer mid-way")


def store_state(db: Path) -> dict[str, tuple[int, int]]:
    """Every table and view of the store file ``db`` (opened as the next command would, replaying its log): its
    row count and the sum of its rows' hashes (independent of row order), volatile columns left out."""
    con = duckdb.connect(str(db))
    try:
        con.execute("SET file_search_path = '" + str(db.parent).replace("'", "''") + "'")
        names = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall()]
        state = {}
        for name in names:
            volatile = VOLATILE.get(name)
            columns = f"* EXCLUDE ({', '.join(volatile)})" if volatile else "*"
            row = con.execute(
                f'SELECT count(*), coalesce(sum(hash(r)::HUGEINT), 0) FROM (SELECT {columns} FROM "{name}") r'
            ).fetchone()
            assert row is not None
            state[name] = (int(row[0]), int(row[1]))
        return state
    finally:
        con.close()


def folder_state(folder: Path) -> dict[str, str] | None:
    """File names and content hashes under ``folder`` (None when there is no folder)."""
    if not folder.exists():
        return None
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def killed(write: Callable[[], Any], delay: float) -> bool:
    """Run ``write`` in a forked child and SIGKILL it after ``delay`` seconds; True if it was killed before it
    finished."""
    pid = os.fork()
    if pid == 0:  # the child: write, then leave at once (no pytest teardown in the child)
        code = 0
        try:
            write()
        except BaseException:
            code = 1
        os._exit(code)
    deadline = time.monotonic() + delay
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            assert os.waitstatus_to_exitcode(status) == 0, "the write failed in the child"
            return False
        time.sleep(0.005)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return True


def trials(
    reset: Callable[[], None],
    write: Callable[[], Any],
    state: Callable[[], Any],
    check: Callable[[], None] = lambda: None,
) -> list[bool]:
    """Before and after states of ``write`` (timed on a second run, as warm as the forked children that are
    killed), then :data:`TRIALS` kills at seeded random moments (one in each equal slice of its time), each
    leaving ``state()`` equal to one of them (and ``check()`` passing); returns which trials were killed
    mid-way."""
    reset()
    before = state()
    write()  # untimed: the first call in this process also pays imports and caches, which forked children do not
    reset()
    started = time.monotonic()
    write()
    took = time.monotonic() - started
    after = state()
    assert after != before, "the write changed nothing: the test would prove nothing"
    rng = random.Random(SEED)
    outcomes = []
    for trial in range(TRIALS):  # one kill in each equal slice of the write's time (and a little beyond)
        reset()
        was_killed = killed(write, 1.1 * took * (trial + rng.random()) / TRIALS)
        now = state()
        assert now in (before, after), "a killed write left a state that is neither before nor after"
        check()
        outcomes.append(was_killed)
    assert any(outcomes), "no trial was killed mid-way"
    return outcomes


def _copy_store(template: Path, db: Path) -> None:
    """Replace the store ``db`` (and its bulk folder) with a copy of ``template``'s."""
    for path in (db, db.with_name(db.name + ".wal"), fec.bulk_folder(db)):
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    shutil.copy2(template, db)
    if fec.bulk_folder(template).exists():
        shutil.copytree(fec.bulk_folder(template), fec.bulk_folder(db))


def _package_copy(mini_package: Path, target: Path, title: str) -> Path:
    """A copy of the mini package with another source title (so that loading it changes the store)."""
    shutil.copytree(mini_package, target)
    sources = pd.read_csv(target / "data" / "sources.csv", dtype=str, keep_default_na=False)
    sources.loc[0, "title"] = title
    sources.to_csv(target / "data" / "sources.csv", index=False)
    return target


def test_package_load_into_a_store(tmp_path: Path, mini_package: Path) -> None:
    template, db = tmp_path / "template.duckdb", tmp_path / "store.duckdb"
    Store.open(package=mini_package, db=template).close()
    other = _package_copy(mini_package, tmp_path / "other", "A retitled source")
    package = read_package(other)

    def write() -> None:
        store = Store.open(db=db)
        store.load(package)
        store.close()

    trials(lambda: _copy_store(template, db), write, lambda: store_state(db))


def _itcont_lines(count: int, amount: str) -> str:
    line = "C00000001|N|Q1|P2026|1|15|IND|DOE, JANE|CITY|CA|90000|ACME|ENGINEER|01152026|{amt}||SA{i}|100|||{i}"
    return "".join(line.format(amt=amount, i=i) + "\n" for i in range(count))


def test_fec_ingest(tmp_path: Path, mini_package: Path) -> None:
    template, db = tmp_path / "template" / "store.duckdb", tmp_path / "work" / "store.duckdb"
    template.parent.mkdir()
    db.parent.mkdir()
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "itcont.txt").write_text(_itcont_lines(1000, "10"))
    (tmp_path / "new").mkdir()
    for name in ("itcont.txt", "itoth.txt"):
        (tmp_path / "new" / name).write_text(_itcont_lines(20_000, "25"))
    store = Store.open(package=mini_package, db=template)
    ingest_fec(store.connection, tmp_path / "old", cycle=2026)
    store.close()

    def write() -> None:
        with Store.open(db=db).connection as con:
            ingest_fec(con, tmp_path / "new", cycle=2026)

    def only_own_loads() -> None:
        """What a killed load left in the bulk folder is either named by the store or provably its own."""
        con = duckdb.connect(str(db), read_only=True)
        kept = {r[0] for r in con.execute("SELECT load_dir FROM fec_manifest").fetchall()}
        store_id = con.execute("SELECT store_id FROM fec_store").fetchone()
        con.close()
        for load in fec.bulk_folder(db).glob("*/*"):
            if _relative(load, db) not in kept:
                present = {p.name for p in load.iterdir()}
                if present <= {fec.LOAD_MANIFEST + ".partial"}:
                    continue  # killed while creating the folder: no data in it, and the next load removes it
                assert json.loads((load / fec.LOAD_MANIFEST).read_text())["store_id"] == store_id[0]

    trials(lambda: _copy_store(template, db), write, lambda: store_state(db), only_own_loads)
    write()  # the next load clears what killed loads left
    con = duckdb.connect(str(db), read_only=True)
    kept = {r[0] for r in con.execute("SELECT load_dir FROM fec_manifest").fetchall()}
    con.close()
    assert {_relative(load, db) for load in fec.bulk_folder(db).glob("*/*")} == kept


def _relative(load: Path, db: Path) -> str:
    return load.relative_to(db.parent).as_posix()


def test_market_share_ingest_into_a_store(tmp_path: Path, mini_package: Path) -> None:
    """The store write of ``ingest eto`` and ``ingest epoch-chips`` (merged tables validated, then loaded)."""
    from marketpower.cli.ingest_markets import _load

    template, db = tmp_path / "template.duckdb", tmp_path / "store.duckdb"
    Store.open(package=mini_package, db=template).close()
    current = read_package(mini_package).tables
    sources = current["sources"].copy()
    sources["title"] = sources["title"] + " (ingested again)"

    def write() -> None:
        store = Store.open(db=db)
        _load(store, {"sources": sources})
        store.close()

    trials(lambda: _copy_store(template, db), write, lambda: store_state(db))


def test_bills_ingest_into_a_store(tmp_path: Path, mini_package: Path, shared_dir: Path) -> None:
    tracker = shared_dir / "data" / "state-ai-bills" / "du-caid-tracker-2026-08" / "tracker" / "data"
    bills = tmp_path / "bills" / "tracker" / "data" / "bills_by_state"
    bills.mkdir(parents=True)
    for state in ("CA", "NY", "TX", "CO", "IL"):
        shutil.copy(tracker / "bills_by_state" / f"{state}.json", bills)
    template, db = tmp_path / "template.duckdb", tmp_path / "store.duckdb"
    Store.open(package=mini_package, db=template).close()

    def write() -> None:
        store = Store.open(db=db)
        ingest_bills(store.connection, tmp_path / "bills")
        store.close()

    trials(lambda: _copy_store(template, db), write, lambda: store_state(db))


def test_data_package_written_by_an_ingest(tmp_path: Path, mini_package: Path) -> None:
    """The ``--out`` write of the ingests (eto, epoch-chips, sec-facts): a new package folder, whole or absent."""
    tables = {name: frame for name, frame in read_package(mini_package).tables.items() if name in TABLES}
    out = tmp_path / "pkg"

    def reset() -> None:
        shutil.rmtree(out, ignore_errors=True)

    trials(reset, lambda: write_package(out, "mini-copy", "Mini copy", tables), lambda: folder_state(out))


def test_report(tmp_path: Path, mini_package: Path) -> None:
    store = Store.open(package=mini_package)
    template, out = tmp_path / "template", tmp_path / "site"
    build_report(store, template, lang="en")

    def reset() -> None:
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(template, out)

    def write() -> None:
        build_report(store, out, lang="fr")

    trials(reset, write, lambda: folder_state(out))
