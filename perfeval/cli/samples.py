"""``perfeval samples [--export DIR] [--name NAME] [--force]``: list the shipped sample datasets, or copy one out.

Without ``--export`` the shipped samples are listed (name, year, title; all synthetic). With ``--export DIR`` the
committed files of the sample (``dataset.yaml``, README, every CSV and ``forms/*.xlsx``) are copied to ``DIR``,
byte for byte, into a temporary folder moved in when complete; an existing ``DIR/dataset.yaml`` is only replaced with ``--force``.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import InputError

__all__ = ["register", "run", "export_sample"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``samples`` subcommand."""
    parser = subparsers.add_parser(
        "samples", help="list the shipped sample datasets, or export one to a folder",
        description="List the shipped (synthetic) sample datasets, or copy one to DIR with --export.")
    parser.add_argument("--export", metavar="DIR", help="copy the sample's files to DIR")
    parser.add_argument("--name", default="province", help="sample to export (default: province)")
    parser.add_argument("--force", action="store_true", help="replace an existing dataset in DIR")
    parser.set_defaults(func=run)


def export_sample(name: str, directory: str | Path, *, force: bool = False) -> list[Path]:
    """Copy the committed files of sample ``name`` to ``directory``; returns the files written.

    Raises
    ------
    InputError
        ``unknown_sample`` (listing the shipped ones) or ``exists`` (``directory`` already holds a dataset and
        ``force`` is False).
    """
    from ..datasets import list_samples
    from ..datasets._sample import write_file

    samples = list_samples()
    if name not in samples["name"].tolist():
        raise InputError.single(name, "unknown_sample", f"`--name` must be one of the shipped samples "
                                                        f"({', '.join(samples['name'])}); got {name!r}.")
    source = Path(samples.loc[samples["name"] == name, "path"].iloc[0])
    target = Path(directory)
    if (target / "dataset.yaml").exists() and not force:
        raise InputError.single(str(target), "exists", "the folder already holds a dataset (dataset.yaml); "
                                                       "use --force to replace it")
    from .._io_util import atomic_dir

    written = []
    with atomic_dir(target) as tmp:  # the whole set first, then moved in: never a partial export
        for path in sorted(p for p in source.rglob("*") if p.is_file() and not p.name.startswith(".")):
            write_file(tmp / path.relative_to(source), path.read_bytes())
            written.append(target / path.relative_to(source))
    return written


def run(args: argparse.Namespace) -> int:
    """List the samples, or export one (``--export``)."""
    if args.export:
        written = export_sample(args.name, args.export, force=args.force)
        print(f"exported sample {args.name!r}: {len(written)} file(s) to {args.export}", file=sys.stderr)
        return 0
    from ..datasets import list_samples

    samples = list_samples()
    if samples.empty:
        print("no samples shipped", file=sys.stderr)
        return 1
    for row in samples.itertuples(index=False):
        flag = " (synthetic)" if row.synthetic else ""
        print(f"{row.name}\t{row.year}\t{row.title}{flag}")
    return 0
