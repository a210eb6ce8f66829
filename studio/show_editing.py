"""Edits of a show as pure functions: a show in, a validated show out, or an InputError naming the
field and what was expected. No engine and no threads here: the session applies the result live,
the GUI's undo stack keeps the shows before and after, and tests can check every rule on its own.

Scenes drawn by a layout helper are turned into plain layers the first time one of their layers
is edited ("materialized"); every layer then has a stable id (OBS's sceneItemId), bottom first.

Layer edits take a canvas name. On `main` they edit the scene's own layers; on another canvas
(the vertical one) they edit the scene's layout there, and the first edit of a scene whose layout
on that canvas is still derived from main's turns the derived layers into its own (from then on
main's edits no longer move them; `reset_canvas_layout` derives it again). A main layout preset
that becomes plain layers (its first layer edit) or is replaced by another preset leaves each
derived canvas the preset's own arrangement there, so the vertical picture does not fall back to
a scaled copy of the landscape one.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from studio.engine.errors import InputError, input_error_from_validation
from studio.engine.show import MAIN_CANVAS, Canvas, Layer, Layout, LayoutKind, Scene, Show, parse_show
from studio.engine.sources.base import SourceTiming
from studio.engine.sources.guest import GUEST_KIND, settings_with_plain_token
from studio.engine.sources.registry import SourceRegistry, default_registry
from studio.engine.video.canvas_layouts import derived_layout_layers, scaled_layers
from studio.engine.video.layouts import expand_layout

LAYER_FIELDS = set(Layer.model_fields) - {"id", "source"}


def validated(show_data: dict[str, Any], *, what: str = "<edit>") -> Show:
    """The edited show, checked as a show file is (fields, then the links between them)."""
    return parse_show(show_data, file=what)


def _data(show: Show) -> dict[str, Any]:
    # mode="python" keeps secrets as SecretStr, so nothing is unmasked on the way through.
    return show.model_dump(mode="python")


def new_id(name: str, taken: set[str], fallback: str) -> str:
    """A readable, unique id from a name ("Camera 2" -> "camera-2"; Chinese letters kept)."""
    base = re.sub(r"[^\w\-]+", "-", name.lower(), flags=re.UNICODE).strip("-") or fallback
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def _check_name(name: str, taken: list[str], what: str) -> str:
    name = (name or "").strip()
    if not name:
        raise InputError(f"a {what} needs a name", field="name")
    if name in taken:
        raise InputError(f"the name {name!r} is already taken by another {what}; expected a new name", field="name")
    return name


# -- sources ---------------------------------------------------------------------------------------


def check_source_resources(kind: str, settings: dict[str, Any], registry: SourceRegistry | None = None) -> str | None:
    """A missing file is refused at once; a missing device is allowed (NO SIGNAL with its reason
    until it is plugged in). Returns a warning for the latter."""
    registry = registry or default_registry()
    plugin = registry.plugin(kind)
    model = registry.validate_settings(kind, settings)
    problem = plugin.check_resources(model)
    if problem is None:
        return None
    field, message = problem
    if plugin.timing is SourceTiming.CAPTURED:
        return message
    raise InputError(message, field=f"settings.{field}")


def add_source(show: Show, kind: str, name: str, settings: dict[str, Any] | None = None, *, source_id: str | None = None) -> tuple[Show, str]:
    registry = default_registry()
    registry.plugin(kind)  # an unknown kind says which kinds there are
    name = _check_name(name, [s.name for s in show.sources], "source")
    settings = dict(settings or {})
    if kind == GUEST_KIND:
        # A guest added without a token gets one at once: its link works from the start.
        settings = settings_with_plain_token(settings, make_token=True)
    check_source_resources(kind, settings, registry)
    taken = {s.id for s in show.sources}
    if source_id is not None and source_id in taken:
        raise InputError(f"the source id {source_id!r} is already taken", field="id")
    source_id = source_id or new_id(name, taken, "source")
    data = _data(show)
    data["sources"].append({"id": source_id, "name": name, "kind": kind, "settings": settings})
    return validated(data), source_id


def _index(items: list, ref: str, what: str) -> int:
    """Where the item with id or name `ref` is (an id first, as everywhere in the show)."""
    for match in (lambda item: item.id == ref, lambda item: item.name == ref):
        for index, item in enumerate(items):
            if match(item):
                return index
    names = ", ".join(item.name for item in items) or f"(no {what}s)"
    raise InputError(f"unknown {what} {ref!r}; expected one of {names}", field=what.replace(" ", "_"))


def _source_index(show: Show, ref: str) -> int:
    return _index(show.sources, ref, "source")


def update_source(show: Show, ref: str, *, name: str | None = None, settings: dict[str, Any] | None = None) -> Show:
    index = _source_index(show, ref)
    data = _data(show)
    entry = data["sources"][index]
    if name is not None and name != entry["name"]:
        old_name = entry["name"]
        entry["name"] = _check_name(name, [s.name for s in show.sources], "source")
        _rename_references(data, old_name, entry["id"])
    if settings is not None:
        if entry["kind"] == GUEST_KIND:
            settings = settings_with_plain_token(settings, make_token=False)
        check_source_resources(entry["kind"], settings)
        entry["settings"] = dict(settings)
    return validated(data)


def _layout_holders(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every {layout, layers} in the show's data: each scene's main one and its other canvases'."""
    holders = []
    for scene in data["scenes"]:
        holders.append(scene)
        holders.extend((scene.get("canvases") or {}).values())
    return holders


def _rename_references(data: dict[str, Any], old_name: str, source_id: str) -> None:
    """Layers and inputs that named the source by its old name now name it by id."""
    for holder in _layout_holders(data):
        if holder.get("layout"):
            holder["layout"]["sources"] = [source_id if ref == old_name else ref for ref in holder["layout"]["sources"]]
        for layer in holder["layers"]:
            if layer["source"] == old_name:
                layer["source"] = source_id
    for audio in data["audio_inputs"]:
        for field in ("source", "follows_video"):
            if audio.get(field) == old_name:
                audio[field] = source_id


def remove_source(show: Show, ref: str) -> Show:
    """The source, its layers in every scene and the inputs that are its sound go; inputs that
    followed it no longer follow anything (as OBS removes a source's scene items)."""
    index = _source_index(show, ref)
    source = show.sources[index]
    refs = {source.id, source.name}
    data = _data(show)
    del data["sources"][index]
    for holder in _layout_holders(data):
        layout = holder.get("layout")
        if layout:
            layout["sources"] = [r for r in layout["sources"] if r not in refs]
            if not layout["sources"]:
                holder["layout"] = None
        holder["layers"] = [layer for layer in holder["layers"] if layer["source"] not in refs]
    kept_inputs = []
    for audio in data["audio_inputs"]:
        if audio.get("kind") == "source_audio" and audio.get("source") in refs:
            continue
        if audio.get("follows_video") in refs:
            audio["follows_video"] = None
        kept_inputs.append(audio)
    removed_inputs = {a["id"] for a in data["audio_inputs"]} - {a["id"] for a in kept_inputs}
    for audio in kept_inputs:
        ducking = audio.get("ducking") or {}
        if ducking.get("trigger_inputs"):
            ducking["trigger_inputs"] = [t for t in ducking["trigger_inputs"] if t not in removed_inputs]
    data["audio_inputs"] = kept_inputs
    return validated(data)


# -- audio inputs ----------------------------------------------------------------------------------


def add_audio_input(show: Show, kind: str, name: str, **fields: Any) -> tuple[Show, str]:
    name = _check_name(name, [a.name for a in show.audio_inputs], "audio input")
    input_id = fields.pop("id", None) or new_id(name, {a.id for a in show.audio_inputs}, "input")
    data = _data(show)
    data["audio_inputs"].append({"id": input_id, "name": name, "kind": kind, **fields})
    return validated(data), input_id


def _input_index(show: Show, ref: str) -> int:
    return _index(show.audio_inputs, ref, "audio input")


def update_audio_input(show: Show, ref: str, **changes: Any) -> Show:
    index = _input_index(show, ref)
    if "id" in changes:
        raise InputError("an audio input's id cannot change", field="id")
    data = _data(show)
    entry = data["audio_inputs"][index]
    if "name" in changes and changes["name"] != entry["name"]:
        changes["name"] = _check_name(changes["name"], [a.name for a in show.audio_inputs], "audio input")
    entry.update(changes)
    return validated(data)


def remove_audio_input(show: Show, ref: str) -> Show:
    index = _input_index(show, ref)
    input_id = show.audio_inputs[index].id
    data = _data(show)
    del data["audio_inputs"][index]
    for audio in data["audio_inputs"]:
        ducking = audio.get("ducking") or {}
        if input_id in ducking.get("trigger_inputs", []):
            ducking["trigger_inputs"] = [t for t in ducking["trigger_inputs"] if t != input_id]
    return validated(data)


# -- scenes ----------------------------------------------------------------------------------------


def scene_index(show: Show, ref: str) -> int:
    return _index(show.scenes, ref, "scene")


def add_scene(show: Show, name: str, *, copy_of: str | None = None, scene_id: str | None = None) -> tuple[Show, str]:
    name = _check_name(name, [s.name for s in show.scenes], "scene")
    taken = {s.id for s in show.scenes}
    scene_id = scene_id or new_id(name, taken, "scene")
    if scene_id in taken:
        raise InputError(f"the scene id {scene_id!r} is already taken", field="id")
    data = _data(show)
    if copy_of is not None:
        copied = dict(data["scenes"][scene_index(show, copy_of)])
        entry = {**copied, "id": scene_id, "name": name}
    else:
        entry = {"id": scene_id, "name": name, "layout": None, "layers": []}
    data["scenes"].append(entry)
    return validated(data), scene_id


def rename_scene(show: Show, ref: str, name: str) -> Show:
    index = scene_index(show, ref)
    data = _data(show)
    old_name = data["scenes"][index]["name"]
    if name == old_name:
        return show
    data["scenes"][index]["name"] = _check_name(name, [s.name for s in show.scenes], "scene")
    scene_id = data["scenes"][index]["id"]
    for field in ("program_scene", "preview_scene"):
        if data.get(field) == old_name:
            data[field] = scene_id
    for product in data["products"]:
        if product["preset"].get("scene") == old_name:
            product["preset"]["scene"] = scene_id
    return validated(data)


def move_scene(show: Show, ref: str, index: int) -> Show:
    old = scene_index(show, ref)
    if not 0 <= index < len(show.scenes):
        raise InputError(f"expected a position from 0 to {len(show.scenes) - 1}, got {index}", field="index")
    data = _data(show)
    scene = data["scenes"].pop(old)
    data["scenes"].insert(index, scene)
    return validated(data)


def remove_scene(show: Show, ref: str) -> Show:
    index = scene_index(show, ref)
    scene = show.scenes[index]
    if len(show.scenes) == 1:
        raise InputError("a show needs at least one scene; add another before removing this one", field="scene")
    refs = {scene.id, scene.name}
    for product in show.products:
        if product.preset.scene in refs:
            raise InputError(
                f"the scene {scene.name!r} is the look of product {product.title!r}; change that product's preset first", field="scene"
            )
    data = _data(show)
    del data["scenes"][index]
    for field in ("program_scene", "preview_scene"):
        if data.get(field) in refs:
            data[field] = None
    return validated(data)


# -- layers (scene items) --------------------------------------------------------------------------


def _numbered(layers: list[Layer]) -> list[Layer]:
    """Layers in drawing order (bottom first), each with an id: its own, or the lowest free one."""
    ordered = sorted(layers, key=lambda layer: layer.z)  # stable: equal z keeps list order
    used = {layer.id for layer in ordered if layer.id is not None}
    items, next_id = [], 1
    for layer in ordered:
        if layer.id is None:
            while next_id in used:
                next_id += 1
            layer = layer.model_copy(update={"id": next_id})
            used.add(next_id)
        items.append(layer)
    return items


def scene_items(scene: Scene, canvas: Canvas) -> list[Layer]:
    """Every layer of a scene on the main canvas in drawing order (bottom first), hidden ones
    too, each with an id: its own, or its position + 1 for a scene still drawn by a layout helper."""
    return _numbered((expand_layout(scene.layout, canvas) if scene.layout else []) + list(scene.layers))


def is_derived(scene: Scene, canvas_name: str) -> bool:
    """True when the scene's layout on that canvas still follows main's (it has none of its own)."""
    return canvas_name != MAIN_CANVAS and canvas_name not in scene.canvases


def canvas_scene_items(show: Show, scene: Scene, canvas_name: str = MAIN_CANVAS) -> list[Layer]:
    """`scene_items` on the named canvas, in its pixels: its own layout there, or the one derived
    from main's (as the engine draws it, video/canvas_layouts.py)."""
    if canvas_name == MAIN_CANVAS:
        return scene_items(scene, show.canvas)
    canvas = show.canvas_named(canvas_name)
    own = scene.canvases.get(canvas_name)
    if own is not None:
        return _numbered((expand_layout(own.layout, canvas) if own.layout else []) + list(own.layers))
    derived = derived_layout_layers(scene.layout, canvas) if scene.layout else []
    return _numbered(derived + scaled_layers(list(scene.layers), show.canvas, canvas))


def _layers_of(data: dict[str, Any], index: int, canvas_name: str) -> list[dict[str, Any]]:
    """The (materialized) layer list of scene `index` on a canvas, to edit in place."""
    scene = data["scenes"][index]
    return scene["layers"] if canvas_name == MAIN_CANVAS else scene["canvases"][canvas_name]["layers"]


def materialize(show: Show, ref: str, canvas_name: str = MAIN_CANVAS) -> tuple[dict[str, Any], int]:
    """The show's data with scene `ref` drawn by plain, numbered layers on that canvas, their z
    folded into list order (so moving a layer in the list is what moves it in the picture)."""
    index = scene_index(show, ref)
    scene = show.scenes[index]
    show.canvas_named(canvas_name)  # an unknown canvas is named before anything else
    data = _data(show)
    layers = [layer.model_copy(update={"z": 0}).model_dump(mode="python") for layer in canvas_scene_items(show, scene, canvas_name)]
    if canvas_name == MAIN_CANVAS:
        if scene.layout is not None:
            _freeze_derived_canvases(show, scene, data["scenes"][index])
        data["scenes"][index]["layout"] = None
        data["scenes"][index]["layers"] = layers
    else:
        data["scenes"][index]["canvases"][canvas_name] = {"layout": None, "layers": layers}
    return data, index


def _freeze_derived_canvases(show: Show, scene: Scene, scene_data: dict[str, Any], layout: Layout | None = None) -> None:
    """Main's layout preset is about to become plain layers (or another preset): each canvas
    still derived from it gets, as its own, the preset's arrangement there (a tall PiP keeps its
    inset at the top, a grid its 2x2), which it could no longer derive from free layers."""
    for name in show.canvases:
        if not is_derived(scene, name):
            continue
        if layout is None:
            items = canvas_scene_items(show, scene, name)
        else:
            items = _numbered(_preset_layers(layout, show.canvas_named(name), tall_arrangement=True))
        scene_data["canvases"][name] = {
            "layout": None,
            "layers": [item.model_copy(update={"z": 0}).model_dump(mode="python") for item in items],
        }


def reset_canvas_layout(show: Show, scene: str, canvas_name: str) -> Show:
    """The scene's layout on that canvas follows main's again (derived), its own one dropped."""
    if canvas_name == MAIN_CANVAS:
        raise InputError("the main canvas's layout is the scene's own; only another canvas's can be reset", field="canvas")
    show.canvas_named(canvas_name)
    index = scene_index(show, scene)
    data = _data(show)
    data["scenes"][index]["canvases"].pop(canvas_name, None)
    return validated(data)


def _layer_dict(fields: dict[str, Any]) -> dict[str, Any]:
    """A layer checked on its own, so a bad value is named as the layer's field ("opacity")."""
    try:
        return Layer.model_validate(fields).model_dump(mode="python")
    except ValidationError as error:
        raise input_error_from_validation(error) from None


def _layer_position(layers: list[dict[str, Any]], layer_id: int, scene_name: str, canvas_name: str) -> int:
    for position, layer in enumerate(layers):
        if layer["id"] == layer_id:
            return position
    where = "" if canvas_name == MAIN_CANVAS else f" on the {canvas_name} canvas"
    raise InputError(f"scene {scene_name!r} has no layer {layer_id}{where}", field="layer")


def _check_on_canvas(show: Show, layer: dict[str, Any], canvas_name: str) -> None:
    canvas = show.canvas_named(canvas_name)
    width = layer.get("width") or canvas.width
    height = layer.get("height") or canvas.height
    if layer["x"] >= canvas.width or layer["y"] >= canvas.height or layer["x"] + width <= 0 or layer["y"] + height <= 0:
        raise InputError(
            f"the layer at x={layer['x']}, y={layer['y']} ({width}x{height}) is outside the canvas; "
            f"expected at least part of it inside 0..{canvas.width}x0..{canvas.height}",
            field="x",
        )


def _check_fields(fields: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise InputError(f"unknown layer field {sorted(unknown)[0]!r}; expected one of {', '.join(sorted(LAYER_FIELDS))}", field=sorted(unknown)[0])


def add_layer(show: Show, scene: str, source: str, *, canvas: str = MAIN_CANVAS, **fields: Any) -> tuple[Show, int]:
    """A source on a scene, on top; without a size it fills the canvas."""
    _check_fields(fields, LAYER_FIELDS)
    spec = show.sources[_source_index(show, source)]
    data, index = materialize(show, scene, canvas)
    layers = _layers_of(data, index, canvas)
    layer_id = max((layer["id"] for layer in layers), default=0) + 1
    layer = _layer_dict({"source": spec.id, **fields, "id": layer_id})
    _check_on_canvas(show, layer, canvas)
    layers.append(layer)
    return validated(data), layer_id


def update_layer(show: Show, scene: str, layer_id: int, *, canvas: str = MAIN_CANVAS, **changes: Any) -> Show:
    _check_fields(changes, LAYER_FIELDS | {"source"})
    data, index = materialize(show, scene, canvas)
    layers = _layers_of(data, index, canvas)
    position = _layer_position(layers, layer_id, show.scenes[index].name, canvas)
    entry = layers[position]
    if "source" in changes:
        changes["source"] = show.sources[_source_index(show, changes["source"])].id
    if "crop" in changes and isinstance(changes["crop"], dict):
        changes["crop"] = {**entry["crop"], **changes["crop"]}
    merged = _layer_dict({**entry, **changes})
    _check_on_canvas(show, merged, canvas)
    layers[position] = merged
    return validated(data)


def move_layer(show: Show, scene: str, layer_id: int, index: int, *, canvas: str = MAIN_CANVAS) -> Show:
    """Put a layer at `index` in drawing order (0: bottom)."""
    data, scene_position = materialize(show, scene, canvas)
    layers = _layers_of(data, scene_position, canvas)
    if not 0 <= index < len(layers):
        raise InputError(f"expected a position from 0 to {len(layers) - 1}, got {index}", field="index")
    layer = layers.pop(_layer_position(layers, layer_id, show.scenes[scene_position].name, canvas))
    layers.insert(index, layer)
    return validated(data)


def remove_layer(show: Show, scene: str, layer_id: int, *, canvas: str = MAIN_CANVAS) -> Show:
    data, index = materialize(show, scene, canvas)
    layers = _layers_of(data, index, canvas)
    del layers[_layer_position(layers, layer_id, show.scenes[index].name, canvas)]
    return validated(data)


def duplicate_layer(
    show: Show, scene: str, layer_id: int, *, to_scene: str | None = None, canvas: str = MAIN_CANVAS
) -> tuple[Show, int]:
    source_scene = show.scenes[scene_index(show, scene)]
    layer = next((item for item in canvas_scene_items(show, source_scene, canvas) if item.id == layer_id), None)
    if layer is None:
        where = "" if canvas == MAIN_CANVAS else f" on the {canvas} canvas"
        raise InputError(f"scene {source_scene.name!r} has no layer {layer_id}{where}", field="layer")
    fields = layer.model_dump(mode="python", exclude={"id", "source"})
    return add_layer(show, to_scene or scene, layer.source, canvas=canvas, **fields)


def _preset_layers(layout: Layout, canvas: Canvas, *, tall_arrangement: bool) -> list[Layer]:
    """A preset's layers on a canvas: on a tall one (not main) arranged as a derived vertical
    layout is (video/canvas_layouts.py)."""
    if tall_arrangement and canvas.height > canvas.width:
        return derived_layout_layers(layout, canvas)
    return expand_layout(layout, canvas)


def apply_layout(
    show: Show, scene: str, kind: LayoutKind | str, sources: list[str], *, canvas: str = MAIN_CANVAS, **options: Any
) -> Show:
    """Replace a scene's layers on a canvas with a layout preset (full, pip, side_by_side, grid,
    one_large_two_small); the layers stay editable afterwards. On a tall canvas each preset is
    arranged as a derived vertical layout is (video/canvas_layouts.py: a stack, PiP at the top)."""
    if not sources:
        raise InputError("a layout needs at least one source", field="sources")
    ids = [show.sources[_source_index(show, ref)].id for ref in sources]
    try:
        layout = Layout.model_validate({"kind": kind, "sources": ids, **options})
    except ValidationError as error:
        raise input_error_from_validation(error) from None
    layers = _preset_layers(layout, show.canvas_named(canvas), tall_arrangement=canvas != MAIN_CANVAS)
    numbered = [
        layer.model_copy(update={"id": position + 1, "z": 0}).model_dump(mode="python")
        for position, layer in enumerate(sorted(layers, key=lambda layer: layer.z))
    ]
    data = _data(show)
    index = scene_index(show, scene)
    if canvas == MAIN_CANVAS:
        _freeze_derived_canvases(show, show.scenes[index], data["scenes"][index], layout)
        data["scenes"][index]["layout"] = None
        data["scenes"][index]["layers"] = numbered
    else:
        data["scenes"][index]["canvases"][canvas] = {"layout": None, "layers": numbered}
    return validated(data)
