#!/usr/bin/env python3
# check-manifest.py: the Flatpak manifest builds the app this tree builds.
# SPDX-License-Identifier: GPL-3.0-or-later
import json
import sys

path, app_id, command = sys.argv[1:4]
with open(path, encoding='utf-8') as f:
    manifest = json.load(f)

failures = []

def check(condition, message):
    if not condition:
        failures.append(message)

check(manifest.get('id', manifest.get('app-id')) == app_id,
      f'id is not {app_id}')
check(manifest.get('command') == command, f'command is not {command}')
check(manifest.get('runtime') == 'org.gnome.Platform', 'runtime is not org.gnome.Platform')
check(manifest.get('sdk') == 'org.gnome.Sdk', 'sdk is not org.gnome.Sdk')
check(str(manifest.get('runtime-version', '')).isdigit(),
      'runtime-version is not a GNOME release number')

args = manifest.get('finish-args', [])
for wanted in ('--share=network', '--share=ipc', '--socket=wayland',
               '--socket=fallback-x11', '--device=dri'):
    check(wanted in args, f'finish-args lack {wanted}')
check(not any('org.freedesktop.secrets' in a for a in args),
      'finish-args talk to the Secret Service directly; libsecret uses the portal')

modules = manifest.get('modules', [])
app = modules[-1] if modules else {}
check(isinstance(app, dict) and app.get('buildsystem') == 'meson',
      'the last module is not a meson build')
sources = app.get('sources', []) if isinstance(app, dict) else []
check(any(s.get('type') == 'dir' and s.get('path') == '.' for s in sources),
      'the app is not built from the local source')

for failure in failures:
    print('FAIL:', failure)
sys.exit(1 if failures else 0)
