"""Prints its page template and which of the context's top-level entries the image holds."""
import json
import os

with open("/templates/page.txt", encoding="utf-8") as f:
    page = f.read().strip()
names = ["show.py", "templates", "tests", ".vscode", ".github", "docker-compose.yml", ".editorconfig"]
print(json.dumps({"page": page, "present": sorted(n for n in names if os.path.exists("/" + n))}))
