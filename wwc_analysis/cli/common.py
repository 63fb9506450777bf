"""Helpers shared by the command modules: machine-readable records."""

from __future__ import annotations

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
