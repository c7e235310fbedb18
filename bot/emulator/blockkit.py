"""What Slack rejects in channel names, message text, Block Kit blocks and views.

Pure functions, no I/O: the emulator's server calls them before it changes any state,
so a bot that passes against the emulator does not trip over these limits in Slack.
Problems are reported the way Slack reports them in `response_metadata.messages`:
"[ERROR] <what is wrong> [json-pointer:/blocks/0/text/text]".

slack_sdk's model classes check some of these limits, but only when a model is
serialised; raw dicts, the 50-block message limit and plain_text_input lengths are
never checked client-side, which is why the emulator checks them here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

# -- limits (see Slack's Block Kit reference) -----------------------------------
MESSAGE_MAX_BLOCKS = 50
VIEW_MAX_BLOCKS = 100
VIEW_MAX_BYTES = 250_000
MESSAGE_MAX_TEXT = 40_000
CHANNEL_NAME_MAX = 80
VIEW_TITLE_MAX = 24
PRIVATE_METADATA_MAX = 3000
ID_MAX = 255  # block_id, action_id, callback_id, external_id

TEXT_OBJECT_KEYS = {"plain_text": {"type", "text", "emoji"}, "mrkdwn": {"type", "text", "verbatim"}}


@dataclass(frozen=True)
class Rejection:
    """Why Slack would refuse a payload: the `error` code and the detail messages."""

    error: str
    messages: tuple[str, ...] = ()


# -- channel names and message text -------------------------------------------------
def channel_name_error(name: str | None) -> str | None:
    """The error conversations.create/rename answer for this name, or None when valid."""
    if not name:
        return "invalid_name_required"
    if len(name) > CHANNEL_NAME_MAX:
        return "invalid_name_maxlength"
    # Slack accepts lowercase letters of any script, digits, hyphens and underscores.
    if any(not (c in "-_" or (c.isalnum() and c == c.lower())) for c in name):
        return "invalid_name_specials"
    if all(c in "-_" for c in name):
        return "invalid_name_punctuation"
    return None


def message_rejection(text: Any, blocks: Any) -> Rejection | None:
    """Check a message's text and (already JSON-decoded) blocks like chat.postMessage does."""
    if text is not None and not isinstance(text, str):
        return Rejection("invalid_arguments", ("[ERROR] must be a string [json-pointer:/text]",))
    if isinstance(text, str) and len(text) > MESSAGE_MAX_TEXT:
        return Rejection("msg_too_long")
    if blocks is None:
        return None
    if not isinstance(blocks, list):
        return Rejection("invalid_blocks_format", ("[ERROR] must be an array [json-pointer:/blocks]",))
    problems = block_problems(blocks, "/blocks", max_blocks=MESSAGE_MAX_BLOCKS)
    return Rejection("invalid_blocks", tuple(problems)) if problems else None


def message_error(text: Any, blocks: Any) -> str | None:
    rejection = message_rejection(text, blocks)
    return rejection.error if rejection else None


# -- views -------------------------------------------------------------------------
VIEW_KEYS = {
    "type", "title", "blocks", "close", "submit", "private_metadata", "callback_id",
    "clear_on_close", "notify_on_close", "external_id", "submit_disabled",
}


def view_rejection(view: Any, *, expect_type: str | None = None) -> Rejection | None:
    """Check a modal or Home tab view like views.open/push/update/publish do.

    Slack answers views.* with `invalid_arguments` for any bad field, and with
    `view_too_large` when the JSON is over 250 kB.
    """
    c = _Checker()
    if not isinstance(view, dict):
        c.err("/view", "must be an object")
        return Rejection("invalid_arguments", tuple(c.problems))
    if len(json.dumps(view, separators=(",", ":")).encode()) > VIEW_MAX_BYTES:
        return Rejection("view_too_large")
    c.keys(view, VIEW_KEYS, "/view")
    vtype = view.get("type")
    if vtype is None:
        c.err("/view", "missing required field: type")
    elif vtype not in ("modal", "home"):
        c.err("/view/type", f"unsupported view type: {vtype}")
    elif expect_type and vtype != expect_type:
        c.err("/view/type", f"must be {expect_type}")
    if vtype == "modal" and "title" not in view:
        c.err("/view", "missing required field: title")
    for key in ("title", "submit", "close"):
        if key in view and view[key] is not None:
            c.text(view[key], f"/view/{key}", max_len=VIEW_TITLE_MAX, plain=True)
    c.string(view, "private_metadata", "/view", max_len=PRIVATE_METADATA_MAX)
    c.string(view, "callback_id", "/view", max_len=ID_MAX)
    c.string(view, "external_id", "/view", max_len=ID_MAX)
    blocks = view.get("blocks")
    if blocks is None:
        c.err("/view", "missing required field: blocks")
    elif not isinstance(blocks, list):
        c.err("/view/blocks", "must be an array")
    else:
        c.blocks(blocks, "/view/blocks", max_blocks=VIEW_MAX_BLOCKS)
        has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in blocks)
        if vtype == "modal" and has_input and not view.get("submit"):
            c.err("/view", "missing required field: submit (required when the view has input blocks)")
    return Rejection("invalid_arguments", tuple(c.problems)) if c.problems else None


def view_error(view: Any, *, expect_type: str | None = None) -> str | None:
    rejection = view_rejection(view, expect_type=expect_type)
    return rejection.error if rejection else None


def block_problems(blocks: list[Any], pointer: str = "/blocks", *, max_blocks: int = MESSAGE_MAX_BLOCKS) -> list[str]:
    """Everything wrong with a list of blocks, as Slack-style error messages (empty when valid)."""
    c = _Checker()
    c.blocks(blocks, pointer, max_blocks=max_blocks)
    return c.problems


# -- block and element catalogue ------------------------------------------------------
BLOCK_KEYS = {
    "section": {"text", "fields", "accessory", "expand"},
    "divider": set(),
    "header": {"text"},
    "context": {"elements"},
    "actions": {"elements"},
    "input": {"label", "element", "dispatch_action", "hint", "optional"},
    "image": {"image_url", "slack_file", "alt_text", "title"},
    "rich_text": {"elements"},
    "file": {"external_id", "source"},
    "markdown": {"text"},
    # Accepted loosely: real block types the bot has no use for, so only their shape is checked.
    "video": {"alt_text", "author_name", "description", "provider_icon_url", "provider_name", "title",
              "title_url", "thumbnail_url", "video_url"},
    "table": {"rows", "column_settings"},
}

_SELECT_COMMON = {"action_id", "confirm", "focus_on_load", "placeholder"}
_TEXT_INPUT_COMMON = {"action_id", "initial_value", "dispatch_action_config", "focus_on_load", "placeholder"}
ELEMENT_KEYS = {
    "button": {"text", "action_id", "url", "value", "style", "confirm", "accessibility_label"},
    "static_select": _SELECT_COMMON | {"options", "option_groups", "initial_option"},
    "multi_static_select": _SELECT_COMMON | {"options", "option_groups", "initial_options", "max_selected_items"},
    "external_select": _SELECT_COMMON | {"initial_option", "min_query_length"},
    "multi_external_select": _SELECT_COMMON | {"initial_options", "min_query_length", "max_selected_items"},
    "users_select": _SELECT_COMMON | {"initial_user"},
    "multi_users_select": _SELECT_COMMON | {"initial_users", "max_selected_items"},
    "conversations_select": _SELECT_COMMON | {"initial_conversation", "default_to_current_conversation",
                                              "response_url_enabled", "filter"},
    "multi_conversations_select": _SELECT_COMMON | {"initial_conversations", "default_to_current_conversation",
                                                    "max_selected_items", "filter"},
    "channels_select": _SELECT_COMMON | {"initial_channel", "response_url_enabled"},
    "multi_channels_select": _SELECT_COMMON | {"initial_channels", "max_selected_items"},
    "datepicker": _SELECT_COMMON | {"initial_date"},
    "timepicker": _SELECT_COMMON | {"initial_time", "timezone"},
    "datetimepicker": {"action_id", "initial_date_time", "confirm", "focus_on_load"},
    "checkboxes": {"action_id", "options", "initial_options", "confirm", "focus_on_load"},
    "radio_buttons": {"action_id", "options", "initial_option", "confirm", "focus_on_load"},
    "overflow": {"action_id", "options", "confirm"},
    "plain_text_input": _TEXT_INPUT_COMMON | {"multiline", "min_length", "max_length"},
    "number_input": _TEXT_INPUT_COMMON | {"is_decimal_allowed", "min_value", "max_value"},
    "url_text_input": set(_TEXT_INPUT_COMMON),
    "email_text_input": set(_TEXT_INPUT_COMMON),
    "rich_text_input": set(_TEXT_INPUT_COMMON),
    "file_input": {"action_id", "filetypes", "max_files"},
    "image": {"image_url", "slack_file", "alt_text"},
    "workflow_button": {"text", "workflow", "action_id", "style", "accessibility_label"},
}

_SELECTS = {t for t in ELEMENT_KEYS if t.endswith("_select")}
_PICKERS = {"datepicker", "timepicker", "datetimepicker"}
_CHOICES = {"checkboxes", "radio_buttons"}
# Which elements each block accepts (Block Kit reference, "compatible elements").
ACCESSORY_TYPES = {"button", "image", "overflow", "datepicker", "timepicker", "workflow_button"} | _SELECTS | _CHOICES
ACTIONS_TYPES = {"button", "overflow", "workflow_button", "rich_text_input"} | _SELECTS | _PICKERS | _CHOICES
INPUT_TYPES = ({"plain_text_input", "number_input", "url_text_input", "email_text_input", "rich_text_input",
                "file_input"} | _SELECTS | _PICKERS | _CHOICES)

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class _Checker:
    """Walks a payload and collects Slack-style problems with JSON pointers."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def err(self, pointer: str, message: str) -> None:
        self.problems.append(f"[ERROR] {message} [json-pointer:{pointer}]")

    # -- primitives ------------------------------------------------------------------
    def keys(self, obj: dict[str, Any], allowed: set[str], pointer: str) -> None:
        for key in obj:
            if key not in allowed:
                self.err(f"{pointer}/{key}", f"additional property not allowed: {key}")

    def string(self, obj: dict[str, Any], key: str, pointer: str, *, max_len: int, min_len: int = 0,
               required: bool = False) -> None:
        if key not in obj or obj[key] is None:
            if required:
                self.err(pointer, f"missing required field: {key}")
            return
        value = obj[key]
        if not isinstance(value, str):
            self.err(f"{pointer}/{key}", "must be a string")
        elif len(value) > max_len:
            self.err(f"{pointer}/{key}", f"must be less than {max_len + 1} characters")
        elif len(value) < min_len:
            self.err(f"{pointer}/{key}", f"must be at least {min_len} characters")

    def text(self, obj: Any, pointer: str, *, max_len: int, plain: bool = False) -> None:
        """A text object: {"type": "plain_text" | "mrkdwn", "text": "..."}."""
        if not isinstance(obj, dict):
            self.err(pointer, "must be a text object")
            return
        ttype = obj.get("type")
        if ttype not in TEXT_OBJECT_KEYS:
            self.err(f"{pointer}/type", "must be plain_text or mrkdwn")
            return
        if plain and ttype != "plain_text":
            self.err(f"{pointer}/type", "must be plain_text")
        self.keys(obj, TEXT_OBJECT_KEYS[ttype], pointer)
        self.string(obj, "text", pointer, max_len=max_len, min_len=1, required=True)

    def optional_text(self, obj: dict[str, Any], key: str, pointer: str, *, max_len: int,
                      plain: bool = False, required: bool = False) -> None:
        if obj.get(key) is None:
            if required:
                self.err(pointer, f"missing required field: {key}")
            return
        self.text(obj[key], f"{pointer}/{key}", max_len=max_len, plain=plain)

    def array(self, obj: dict[str, Any], key: str, pointer: str, *, min_n: int, max_n: int,
              required: bool = True) -> list[Any] | None:
        value = obj.get(key)
        if value is None:
            if required:
                self.err(pointer, f"missing required field: {key}")
            return None
        if not isinstance(value, list):
            self.err(f"{pointer}/{key}", "must be an array")
            return None
        if len(value) > max_n:
            self.err(f"{pointer}/{key}", f"no more than {max_n} items allowed")
        elif len(value) < min_n:
            self.err(f"{pointer}/{key}", f"must provide at least {min_n} items")
        return value

    # -- blocks ---------------------------------------------------------------------
    def blocks(self, blocks: list[Any], pointer: str, *, max_blocks: int) -> None:
        if len(blocks) > max_blocks:
            self.err(pointer, f"no more than {max_blocks} items allowed")
        seen_ids: set[str] = set()
        for i, block in enumerate(blocks):
            bp = f"{pointer}/{i}"
            if not isinstance(block, dict):
                self.err(bp, "must be an object")
                continue
            btype = block.get("type")
            if btype not in BLOCK_KEYS:
                self.err(f"{bp}/type", f"unsupported block type: {btype}" if btype else "missing required field: type")
                continue
            self.keys(block, BLOCK_KEYS[btype] | {"type", "block_id"}, bp)
            self.string(block, "block_id", bp, max_len=ID_MAX, min_len=1)
            block_id = block.get("block_id")
            if isinstance(block_id, str):
                if block_id in seen_ids:
                    self.err(f"{bp}/block_id", f"duplicate block_id: {block_id}")
                seen_ids.add(block_id)
            getattr(self, f"block_{btype}")(block, bp)

    def block_section(self, b: dict[str, Any], p: str) -> None:
        if b.get("text") is None and b.get("fields") is None:
            self.err(p, "must provide either text or fields")
        self.optional_text(b, "text", p, max_len=3000)
        fields = self.array(b, "fields", p, min_n=1, max_n=10, required=False)
        for i, field in enumerate(fields or []):
            self.text(field, f"{p}/fields/{i}", max_len=2000)
        if b.get("accessory") is not None:
            self.elements([b["accessory"]], [f"{p}/accessory"], ACCESSORY_TYPES)

    def block_divider(self, b: dict[str, Any], p: str) -> None:
        pass

    def block_header(self, b: dict[str, Any], p: str) -> None:
        self.optional_text(b, "text", p, max_len=150, plain=True, required=True)

    def block_context(self, b: dict[str, Any], p: str) -> None:
        elements = self.array(b, "elements", p, min_n=1, max_n=10)
        for i, el in enumerate(elements or []):
            ep = f"{p}/elements/{i}"
            if isinstance(el, dict) and el.get("type") == "image":
                self.element(el, ep, {"image"})
            else:
                self.text(el, ep, max_len=3000)

    def block_actions(self, b: dict[str, Any], p: str) -> None:
        elements = self.array(b, "elements", p, min_n=1, max_n=25)
        if elements:
            self.elements(elements, [f"{p}/elements/{i}" for i in range(len(elements))], ACTIONS_TYPES)

    def block_input(self, b: dict[str, Any], p: str) -> None:
        self.optional_text(b, "label", p, max_len=2000, plain=True, required=True)
        self.optional_text(b, "hint", p, max_len=2000, plain=True)
        if b.get("element") is None:
            self.err(p, "missing required field: element")
        else:
            self.elements([b["element"]], [f"{p}/element"], INPUT_TYPES)
        for flag in ("optional", "dispatch_action"):
            if flag in b and not isinstance(b[flag], bool):
                self.err(f"{p}/{flag}", "must be a boolean")

    def block_image(self, b: dict[str, Any], p: str) -> None:
        self.image_source(b, p)
        self.string(b, "alt_text", p, max_len=2000, min_len=1, required=True)
        self.optional_text(b, "title", p, max_len=2000, plain=True)

    def block_rich_text(self, b: dict[str, Any], p: str) -> None:
        # Rich text has a deep grammar of its own; Slack clients generate it, so accept it loosely.
        if not isinstance(b.get("elements"), list):
            self.err(p, "missing required field: elements")

    def block_file(self, b: dict[str, Any], p: str) -> None:
        self.string(b, "external_id", p, max_len=ID_MAX, min_len=1, required=True)
        if b.get("source") != "remote":
            self.err(f"{p}/source", "must be remote")

    def block_markdown(self, b: dict[str, Any], p: str) -> None:
        self.string(b, "text", p, max_len=12000, min_len=1, required=True)

    def block_video(self, b: dict[str, Any], p: str) -> None:
        for key in ("alt_text", "video_url", "thumbnail_url"):
            self.string(b, key, p, max_len=3000, min_len=1, required=True)
        self.optional_text(b, "title", p, max_len=200, plain=True, required=True)

    def block_table(self, b: dict[str, Any], p: str) -> None:
        self.array(b, "rows", p, min_n=1, max_n=100)

    # -- elements -------------------------------------------------------------------
    def elements(self, elements: list[Any], pointers: list[str], allowed: set[str]) -> None:
        """Elements of one block: each valid, and their action_ids unique within the block."""
        seen: set[str] = set()
        for el, ep in zip(elements, pointers):
            action_id = self.element(el, ep, allowed)
            if action_id is not None:
                if action_id in seen:
                    self.err(f"{ep}/action_id", f"duplicate action_id: {action_id}")
                seen.add(action_id)

    def element(self, el: Any, p: str, allowed: set[str]) -> str | None:
        if not isinstance(el, dict):
            self.err(p, "must be an object")
            return None
        etype = el.get("type")
        if etype not in ELEMENT_KEYS:
            self.err(f"{p}/type", f"unsupported element type: {etype}" if etype else "missing required field: type")
            return None
        if etype not in allowed:
            self.err(f"{p}/type", f"element type {etype} is not allowed here")
            return None
        self.keys(el, ELEMENT_KEYS[etype] | {"type"}, p)
        self.string(el, "action_id", p, max_len=ID_MAX, min_len=1)
        if "placeholder" in el:
            self.optional_text(el, "placeholder", p, max_len=150, plain=True)
        if el.get("confirm") is not None:
            self.confirm(el["confirm"], f"{p}/confirm")
        for key in ("max_selected_items", "min_query_length"):
            if key in el and (not isinstance(el[key], int) or isinstance(el[key], bool)
                              or el[key] < (1 if key == "max_selected_items" else 0)):
                self.err(f"{p}/{key}", "must be a positive integer")
        check = getattr(self, f"el_{etype}", None)
        if check is not None:
            check(el, p)
        action_id = el.get("action_id")
        return action_id if isinstance(action_id, str) else None

    def el_button(self, el: dict[str, Any], p: str) -> None:
        self.optional_text(el, "text", p, max_len=75, plain=True, required=True)
        self.string(el, "value", p, max_len=2000)
        self.string(el, "url", p, max_len=3000)
        self.string(el, "accessibility_label", p, max_len=75)
        if "style" in el and el["style"] not in ("primary", "danger"):
            self.err(f"{p}/style", "must be primary or danger")

    el_workflow_button = el_button

    def el_static_select(self, el: dict[str, Any], p: str) -> None:
        has_options, has_groups = el.get("options") is not None, el.get("option_groups") is not None
        if has_options == has_groups:
            self.err(p, "must provide exactly one of options or option_groups")
            return
        all_options: list[Any] = []
        if has_options:
            all_options = self.options(el, "options", p, min_n=1, max_n=100, plain=True) or []
        else:
            groups = self.array(el, "option_groups", p, min_n=1, max_n=100) or []
            for i, group in enumerate(groups):
                gp = f"{p}/option_groups/{i}"
                if not isinstance(group, dict):
                    self.err(gp, "must be an object")
                    continue
                self.keys(group, {"label", "options"}, gp)
                self.optional_text(group, "label", gp, max_len=75, plain=True, required=True)
                all_options += self.options(group, "options", gp, min_n=1, max_n=100, plain=True) or []
        self.initial_options(el, p, all_options)

    el_multi_static_select = el_static_select

    def el_checkboxes(self, el: dict[str, Any], p: str) -> None:
        options = self.options(el, "options", p, min_n=1, max_n=10, plain=False)
        self.initial_options(el, p, options or [])

    el_radio_buttons = el_checkboxes

    def el_overflow(self, el: dict[str, Any], p: str) -> None:
        self.options(el, "options", p, min_n=2, max_n=5, plain=True, allow_url=True)

    def el_datepicker(self, el: dict[str, Any], p: str) -> None:
        value = el.get("initial_date")
        if value is not None and not (isinstance(value, str) and _DATE.match(value)):
            self.err(f"{p}/initial_date", "must be in the format YYYY-MM-DD")

    def el_timepicker(self, el: dict[str, Any], p: str) -> None:
        value = el.get("initial_time")
        if value is not None and not (isinstance(value, str) and _TIME.match(value)):
            self.err(f"{p}/initial_time", "must be in the format HH:mm")

    def el_datetimepicker(self, el: dict[str, Any], p: str) -> None:
        value = el.get("initial_date_time")
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            self.err(f"{p}/initial_date_time", "must be a UNIX timestamp integer")

    def el_plain_text_input(self, el: dict[str, Any], p: str) -> None:
        lo, hi = el.get("min_length"), el.get("max_length")
        if lo is not None and (not _is_int(lo) or not 0 <= lo <= 3000):
            self.err(f"{p}/min_length", "must be an integer between 0 and 3000")
            lo = None
        if hi is not None and (not _is_int(hi) or not 1 <= hi <= 3000):
            self.err(f"{p}/max_length", "must be an integer between 1 and 3000")
            hi = None
        if lo is not None and hi is not None and lo > hi:
            self.err(f"{p}/min_length", "must be less than or equal to max_length")
        self.string(el, "initial_value", p, max_len=hi if hi is not None else 3000)
        if "multiline" in el and not isinstance(el["multiline"], bool):
            self.err(f"{p}/multiline", "must be a boolean")

    def el_number_input(self, el: dict[str, Any], p: str) -> None:
        if not isinstance(el.get("is_decimal_allowed"), bool):
            self.err(p, "missing required field: is_decimal_allowed")

    def el_image(self, el: dict[str, Any], p: str) -> None:
        self.image_source(el, p)
        self.string(el, "alt_text", p, max_len=2000, min_len=1, required=True)

    # -- composition objects ------------------------------------------------------------
    def image_source(self, obj: dict[str, Any], p: str) -> None:
        if obj.get("image_url") is None and obj.get("slack_file") is None:
            self.err(p, "missing required field: image_url")
        self.string(obj, "image_url", p, max_len=3000, min_len=1)

    def options(self, obj: dict[str, Any], key: str, p: str, *, min_n: int, max_n: int, plain: bool,
                allow_url: bool = False) -> list[Any] | None:
        options = self.array(obj, key, p, min_n=min_n, max_n=max_n)
        for i, opt in enumerate(options or []):
            op = f"{p}/{key}/{i}"
            if not isinstance(opt, dict):
                self.err(op, "must be an object")
                continue
            self.keys(opt, {"text", "value", "description"} | ({"url"} if allow_url else set()), op)
            self.optional_text(opt, "text", op, max_len=75, plain=plain, required=True)
            self.string(opt, "value", op, max_len=150, min_len=1, required=True)
            self.optional_text(opt, "description", op, max_len=75, plain=plain)
            self.string(opt, "url", op, max_len=3000)
        return options

    def initial_options(self, el: dict[str, Any], p: str, options: list[Any]) -> None:
        """Slack refuses an initial option that is not one of the element's options."""
        values = {o.get("value") for o in options if isinstance(o, dict)}
        chosen = [("initial_option", el["initial_option"])] if el.get("initial_option") is not None else []
        chosen += [(f"initial_options/{i}", o) for i, o in enumerate(el.get("initial_options") or [])]
        for where, opt in chosen:
            if not isinstance(opt, dict) or opt.get("value") not in values:
                self.err(f"{p}/{where}", "must match one of the provided options")

    def confirm(self, obj: Any, p: str) -> None:
        if not isinstance(obj, dict):
            self.err(p, "must be an object")
            return
        self.keys(obj, {"title", "text", "confirm", "deny", "style"}, p)
        self.optional_text(obj, "title", p, max_len=100, plain=True, required=True)
        self.optional_text(obj, "text", p, max_len=300, required=True)
        self.optional_text(obj, "confirm", p, max_len=30, plain=True, required=True)
        self.optional_text(obj, "deny", p, max_len=30, plain=True, required=True)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
