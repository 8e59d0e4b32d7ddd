#!/usr/bin/env python3
# check-manifest.py: the Flatpak manifest builds the app this tree builds.
# SPDX-License-Identifier: GPL-3.0-or-later
import configparser
import json
import os
import sys

path, app_id, program, desktop_path = sys.argv[1:5]
command = os.path.basename(program)
with open(path, encoding='utf-8') as f:
    manifest = json.load(f)

failures = []

def check(condition, message):
    if not condition:
        failures.append(message)

check(manifest.get('id', manifest.get('app-id')) == app_id,
      f'id is not {app_id}')
check(manifest.get('command') == command, f'command is not {command}')
check(os.access(program, os.X_OK), f'the build has no program {program}')

desktop = configparser.ConfigParser(interpolation=None)
desktop.read(desktop_path, encoding='utf-8')
exec_line = desktop.get('Desktop Entry', 'Exec', fallback='')
check(exec_line.split(' ')[0] == command,
      f'the desktop file starts {exec_line!r}, not {command}')
check(manifest.get('runtime') == 'org.gnome.Platform', 'runtime is not org.gnome.Platform')
check(manifest.get('sdk') == 'org.gnome.Sdk', 'sdk is not org.gnome.Sdk')
check(str(manifest.get('runtime-version', '')).isdigit(),
      'runtime-version is not a GNOME release number')

# Exactly these: no more holes in the sandbox than the app needs.
args = manifest.get('finish-args', [])
wanted = ['--share=network', '--share=ipc', '--socket=wayland',
          '--socket=fallback-x11', '--device=dri']
check(sorted(args) == sorted(wanted) and len(set(args)) == len(args),
      f'finish-args are {args}, not exactly {wanted}')
check(not any('org.freedesktop.secrets' in a for a in args),
      'finish-args talk to the Secret Service directly; libsecret uses the portal')

# The bundled portal lives in libexec and is started from there.
for pattern in manifest.get('cleanup', []):
    check('libexec' not in pattern and pattern not in ('/bin', '/bin/*'),
          f'cleanup {pattern!r} removes the app or its bundled portal')

modules = manifest.get('modules', [])
app = modules[-1] if modules else {}
check(isinstance(app, dict) and app.get('buildsystem') == 'meson',
      'the last module is not a meson build')
sources = app.get('sources', []) if isinstance(app, dict) else []
check(any(s.get('type') == 'dir' and s.get('path') == '.' for s in sources),
      'the app is not built from the local source')
check(isinstance(app, dict) and app.get('name') == command,
      f'the last module is not {command}')
opts = app.get('config-opts', []) if isinstance(app, dict) else []
check(not any(o.startswith(('--libexecdir', '-Dlibexecdir')) for o in opts),
      'the app module moves libexecdir away from where the app looks for the portal')

for failure in failures:
    print('FAIL:', failure)
sys.exit(1 if failures else 0)
