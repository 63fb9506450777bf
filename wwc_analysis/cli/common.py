"""Helpers shared by the command modules: machine-readable records, help texts for people."""

from __future__ import annotations

import argparse
import textwrap

import pandas as pd


def records(df: pd.DataFrame) -> list[dict]:
    out = []
    for rec in df.to_dict(orient="records"):
        clean = {}
        for k, v in rec.items():
            if isinstance(v, pd.Timestamp):
                v = v.strftime("%Y-%m-%d")
            elif v is pd.NA or (isinstance(v, float) and pd.isna(v)) or v is None:
                v = None
            elif hasattr(v, "item"):
                v = v.item()
            clean[k] = v
        out.append(clean)
    return out


class PlainHelp(argparse.HelpFormatter):
    """``--help`` for people: the description wrapped paragraph by paragraph (a blank line between
    paragraphs), and a block with lines indented by two spaces (examples) kept as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        paragraphs = []
        for block in text.strip("\n").split("\n\n"):
            lines = block.splitlines()
            if any(line.startswith("  ") for line in lines):
                paragraphs.append("\n".join(indent + line for line in lines))
            else:
                paragraphs.append(
                    textwrap.fill(
                        " ".join(block.split()),
                        width,
                        initial_indent=indent,
                        subsequent_indent=indent,
                    )
                )
        return "\n\n".join(paragraphs)


def add_command(
    subparsers, name: str, *, help: str, description: str, examples: str
) -> argparse.ArgumentParser:
    """Add the subcommand ``name`` with plain-words help: a one-line ``help`` for ``wwc --help``,
    a ``description`` and an ``examples`` block (lines "  wwc ...   what it does")."""
    return subparsers.add_parser(
        name,
        help=help,
        description=description,
        epilog="examples:\n" + examples.strip("\n"),
        formatter_class=PlainHelp,
    )
