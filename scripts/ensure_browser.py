"""Makes sure Debian's Chromium (and CJK fonts, so Chinese pages render in screenshots) are present
for the browser tests. Playwright drives /usr/bin/chromium; its own browser download does not
work on these machines. Installs with apt when running as root, otherwise names the packages."""

import os
import shutil
import subprocess
import sys

PACKAGES = ["chromium", "chromium-driver", "fonts-noto-cjk"]
FONT_DIR = "/usr/share/fonts/opentype/noto"


def missing() -> list[str]:
    out = []
    if not shutil.which("chromium") and not os.path.exists("/usr/bin/chromium"):
        out += ["chromium", "chromium-driver"]
    if not os.path.isdir(FONT_DIR):
        out.append("fonts-noto-cjk")
    return out


def main() -> int:
    need = missing()
    if not need:
        return 0
    if os.geteuid() != 0:
        print(
            "Browser tests need Debian packages: " + " ".join(PACKAGES) + "\n"
            "Install them with: sudo apt-get install -y " + " ".join(PACKAGES),
            file=sys.stderr,
        )
        return 1 if os.environ.get("CI") else 0
    print("Installing " + " ".join(need) + " with apt-get ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *need], check=True, env=env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
