"""The one catalogue of bindable actions: what the seller may put under a key in the desktop app
(the hotkey dialog, the key dispatcher, the run sheet's key badges) and what a remote device
lists and presses through obs-websocket's GetHotkeyList / TriggerHotkeyByName. Qt-free, so the
GUI and the remote control read the same list and cannot drift apart.

Each action has a stable id ("cut", "preview_scene.3", "product.2", "mute_input.mic") and a
default key like a hardware switcher's: 1-9 put a scene on preview, Ctrl+1-9 cut it straight to
program, Space cuts, Enter runs the transition; F1-F12 pick a product, L runs its 3-2-1 link,
Esc dismisses the card. Keys are Qt's portable key-sequence text ("Ctrl+R", "Space", "1"); the
show stores only what the user changed (`Show.hotkeys`). The labels are the desktop app's to
word and translate (studio/gui/hotkeys.py): an action says only what its label needs (its
family, number and subject).
"""

from __future__ import annotations

from dataclasses import dataclass

from studio.engine.show import Show

SCENE_KEYS_LIMIT = 9  # 1-9 (and Ctrl+1-9)
PRODUCT_KEYS_LIMIT = 12  # F1-F12

# The default key of each action that is not numbered; "" is no key until the user binds one.
_FIXED_DEFAULT_KEYS = {
    "cut": "Space",
    "auto": "Return",
    "product.next": "PgDown",
    "product.previous": "PgUp",
    "link_321": "L",
    "dismiss_card": "Esc",
    "apply_preset": "P",
    "sold_out": "",
    "stream.toggle": "Ctrl+Shift+L",
    "record.toggle": "Ctrl+Shift+R",
}
# Numbered families: "<family>.<n>" with n from 1, and the pattern of their default keys.
_NUMBERED_DEFAULT_KEYS = {"preview_scene": "{n}", "program_scene": "Ctrl+{n}", "product": "F{n}"}
_SELLING_ACTIONS = ("product.next", "product.previous", "link_321", "dismiss_card", "apply_preset", "sold_out")
MUTE_INPUT_FAMILY = "mute_input"  # "mute_input.<audio input id>": no default key


@dataclass(frozen=True)
class HotkeyAction:
    id: str
    family: str  # the id without its number or input ("preview_scene"), or the whole id ("cut")
    default_key: str = ""
    number: int | None = None  # the scene's or product's number (1 = the first)
    subject: str = ""  # the scene's name, the product's title or the audio input's name


def default_key(action_id: str) -> str:
    """The default key of an action id ("" for none, and for an id that is not an action)."""
    if action_id in _FIXED_DEFAULT_KEYS:
        return _FIXED_DEFAULT_KEYS[action_id]
    family, _, number = action_id.partition(".")
    pattern = _NUMBERED_DEFAULT_KEYS.get(family)
    return pattern.format(n=int(number)) if pattern is not None and number.isdigit() else ""


def _fixed(action_id: str) -> HotkeyAction:
    return HotkeyAction(action_id, action_id, _FIXED_DEFAULT_KEYS[action_id])


def _numbered(family: str, number: int, subject: str) -> HotkeyAction:
    return HotkeyAction(f"{family}.{number}", family, _NUMBERED_DEFAULT_KEYS[family].format(n=number), number, subject)


def hotkey_actions(show: Show, product_count: int | None = None, *, selling: bool = True) -> list[HotkeyAction]:
    """Every bindable action of `show`, in the hotkey dialog's order. `product_count` is the
    run sheet's length when the selling desk's differs from the show file's (default: the
    show's products); `selling` False (a studio without a selling desk) leaves out the product
    and link actions."""
    products = len(show.products) if product_count is None else product_count
    scenes = show.scenes[:SCENE_KEYS_LIMIT]
    actions = [_fixed("cut"), _fixed("auto")]
    actions += [_numbered("preview_scene", number, scene.name) for number, scene in enumerate(scenes, start=1)]
    actions += [_numbered("program_scene", number, scene.name) for number, scene in enumerate(scenes, start=1)]
    if selling:
        titles = [product.title for product in show.products]
        for number in range(1, min(products, PRODUCT_KEYS_LIMIT) + 1):
            actions.append(_numbered("product", number, titles[number - 1] if number <= len(titles) else ""))
        actions += [_fixed(action_id) for action_id in _SELLING_ACTIONS]
    actions += [HotkeyAction(f"{MUTE_INPUT_FAMILY}.{audio.id}", MUTE_INPUT_FAMILY, "", None, audio.name) for audio in show.audio_inputs]
    actions += [_fixed("stream.toggle"), _fixed("record.toggle")]
    return actions


def hotkey_action_ids(show: Show, product_count: int | None = None, *, selling: bool = True) -> list[str]:
    """The ids of `hotkey_actions`: what GetHotkeyList lists and TriggerHotkeyByName takes."""
    return [action.id for action in hotkey_actions(show, product_count, selling=selling)]
