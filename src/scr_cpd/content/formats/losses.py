"""What an export to another tool's format leaves behind, worded once for every writer."""

from __future__ import annotations

from typing import Any, Callable

Fields = dict[str, Any]


def learning_points_loss(item: Fields) -> list[str]:
    points = item.get("learning_points") or []
    return [f"learning points {', '.join(map(str, points))}"] if points else []


def source_loss(source: Any) -> list[str]:
    if not isinstance(source, dict) or not source:
        return []
    parts = [str(source[key]) for key in ("title", "section") if source.get(key)]
    if source.get("page"):
        parts.append(f"p.{source['page']}")
    return [f"source {', '.join(parts)}"]


def plain_item_losses(item: Fields) -> list[str]:
    """Learning points and the source: what neither GIFT nor Moodle XML has a place for."""
    return learning_points_loss(item) + source_loss(item.get("source"))


def export_losses(
    bank: Fields, item_losses: Callable[[Fields], list[str]] = plain_item_losses
) -> list[str]:
    """One line per module, question or reflection that loses anything
    ("q-x: learning points a, b; source p.15")."""
    lines = []
    module = learning_points_loss(
        {"learning_points": [lp.get("id") for lp in bank.get("learning_points") or []]}
    )
    module += source_loss(bank.get("source"))
    if module:
        lines.append(f"module {bank.get('id', '?')}: {'; '.join(module)}")
    for item in [*(bank.get("questions") or []), *(bank.get("reflections") or [])]:
        lost = item_losses(item)
        if lost:
            lines.append(f"{item.get('id', '?')}: {'; '.join(lost)}")
    return lines
