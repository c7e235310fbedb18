"""Atlassian Document Format, as Jira Cloud checks a description: a `doc` of version 1 whose block nodes
hold inline nodes, each node with the fields its type allows. The problem, or None."""

from __future__ import annotations

from typing import Any

BLOCKS = {"paragraph", "heading", "bulletList", "orderedList", "rule", "codeBlock", "blockquote"}
INLINE = {"text", "hardBreak", "mention", "emoji", "inlineCard"}
MARKS = {"strong", "em", "code", "link", "strike", "underline"}


def problem(doc: Any) -> str | None:
    if not isinstance(doc, dict) or doc.get("type") != "doc" or doc.get("version") != 1:
        return "the root must be {\"type\": \"doc\", \"version\": 1, \"content\": [...]}"
    content = doc.get("content")
    if not isinstance(content, list):
        return "doc.content must be an array"
    for n, node in enumerate(content):
        found = _block(node, f"content[{n}]")
        if found:
            return found
    return None


def _block(node: Any, at: str) -> str | None:
    if not isinstance(node, dict) or node.get("type") not in BLOCKS | {"listItem"}:
        return f"{at}: {node.get('type') if isinstance(node, dict) else node!r} is not a block node"
    kind = node["type"]
    if kind == "heading":
        level = (node.get("attrs") or {}).get("level")
        if level not in range(1, 7):
            return f"{at}: a heading needs attrs.level 1..6"
    if kind == "rule":
        return None
    children = node.get("content", [])
    if not isinstance(children, list):
        return f"{at}.content must be an array"
    for n, child in enumerate(children):
        where = f"{at}.content[{n}]"
        if kind in ("bulletList", "orderedList"):
            if not isinstance(child, dict) or child.get("type") != "listItem":
                return f"{where}: a list holds listItem nodes"
            found = _block(child, where)
        elif kind in ("listItem", "blockquote"):
            found = _block(child, where)
        else:
            found = _inline(child, where)
        if found:
            return found
    return None


def _inline(node: Any, at: str) -> str | None:
    if not isinstance(node, dict) or node.get("type") not in INLINE:
        return f"{at}: {node.get('type') if isinstance(node, dict) else node!r} is not an inline node"
    if node["type"] == "text":
        text = node.get("text")
        if not isinstance(text, str) or not text:
            return f"{at}: a text node needs a non-empty text"
        for mark in node.get("marks", []):
            if not isinstance(mark, dict) or mark.get("type") not in MARKS:
                return f"{at}: unknown mark {mark!r}"
            if mark["type"] == "link" and not str((mark.get("attrs") or {}).get("href", "")).startswith(
                    ("http://", "https://", "mailto:")):
                return f"{at}: a link mark needs attrs.href"
    return None
