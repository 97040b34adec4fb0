"""The time zone a build sets is set in the runtime too."""
from __future__ import annotations

import pytest

from msbrewrite import convert

NODE = ("FROM {image}\nWORKDIR /app\nCOPY . .\nRUN npm ci\n{tz}\nCMD [\"node\", \"server.js\"]\n")
TZ = "RUN ln -sf /usr/share/zoneinfo/Asia/Shanghai /etc/localtime && echo 'Asia/Shanghai' > /etc/timezone"


def _runtime(text: str):
    result = convert(text)
    assert result.status == "converted", result.reason
    return result, result.text.split("\nFROM ")[-1]


def test_a_runtime_with_a_shell_links_the_zone_again():
    result, runtime = _runtime(NODE.format(image="node:20", tz=TZ).replace('["node", "server.js"]',
                                                                         '["sh", "-c", "node server.js"]'))
    assert ("COPY --from=builder /usr/share/zoneinfo/Asia/Shanghai /usr/share/zoneinfo/Asia/Shanghai\n"
            "RUN ln -sf /usr/share/zoneinfo/Asia/Shanghai /etc/localtime && printf '%s\\n' Asia/Shanghai > /etc/timezone"
            in runtime)
    # never a COPY onto /etc/localtime: through the base's link it would overwrite the UTC zone file
    assert "/etc/localtime /etc/localtime" not in runtime and "COPY --from=builder /etc/timezone" not in runtime


def test_a_runtime_without_a_shell_names_the_zone_in_tz():
    result, runtime = _runtime(NODE.format(image="node:20", tz=TZ))
    assert runtime.startswith("gcr.io/distroless/")
    assert "ENV TZ=Asia/Shanghai" in runtime
    assert "COPY --from=builder /usr/share/zoneinfo/Asia/Shanghai /usr/share/zoneinfo/Asia/Shanghai" in runtime


@pytest.mark.parametrize("image", ["node:20-slim", "node:20-alpine"])
def test_a_builder_that_may_lack_the_zone_file_gets_a_warning(image):
    result, runtime = _runtime(NODE.format(image=image, tz=TZ))
    assert "zoneinfo" not in runtime
    assert any("sets the time zone Asia/Shanghai" in w for w in result.warnings)
