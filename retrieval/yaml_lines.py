"""Find the line of a key path in a YAML file, so errors can point editors at the right place."""

from __future__ import annotations

from collections.abc import Sequence

import yaml

# libyaml's safe loader when PyYAML was built with it: the FAQ loads ~10x faster, so a restart is quicker.
SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlLines:
    """Maps key paths such as ('uk', 'questions', 3) to 1-based line numbers."""

    def __init__(self, text: str) -> None:
        try:
            self._root: yaml.Node | None = yaml.compose(text, Loader=SAFE_LOADER)
        except yaml.YAMLError:
            self._root = None

    def line_of(self, path: Sequence[str | int]) -> int | None:
        """The line of the deepest node on `path` that exists (None if the file did not parse)."""
        node = self._root
        line = node.start_mark.line + 1 if node is not None else None
        for part in path:
            if isinstance(node, yaml.MappingNode):
                match = next((v for k, v in node.value if getattr(k, "value", None) == str(part)), None)
                if match is None:
                    key_node = next((k for k, _ in node.value if getattr(k, "value", None) == str(part)), None)
                    return key_node.start_mark.line + 1 if key_node is not None else line
                node = match
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                node = node.value[part]
            else:
                break
            line = node.start_mark.line + 1
        return line
