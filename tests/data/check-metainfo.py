#!/usr/bin/env python3
# check-metainfo.py: the metainfo has what software centres need, which
# Debian 12's appstreamcli does not check itself.
# SPDX-License-Identifier: GPL-3.0-or-later
import sys
import xml.etree.ElementTree as ET

path, app_id = sys.argv[1], sys.argv[2]
root = ET.parse(path).getroot()
failures = []

if root.findtext('id') != app_id:
    failures.append(f'<id> is {root.findtext("id")!r}, not {app_id!r}')

releases = root.findall('releases/release')
if not releases:
    failures.append('no <releases> with a <release>')
for release in releases:
    if not release.get('version') or not release.get('date'):
        failures.append('a <release> lacks version or date')

rating = root.find('content_rating')
if rating is None or not rating.get('type', '').startswith('oars-'):
    failures.append('no <content_rating type="oars-…">')

developer = root.find('developer')
if developer is None or not developer.get('id') or not developer.findtext('name'):
    failures.append('no <developer id=…> with a <name>')

launchable = root.find('launchable')
if launchable is None or launchable.get('type') != 'desktop-id' \
        or launchable.text != app_id + '.desktop':
    failures.append(f'no <launchable type="desktop-id">{app_id}.desktop')

if not root.findtext('summary') or root.find('description') is None:
    failures.append('no <summary> or <description>')

for failure in failures:
    print('FAIL:', failure)
sys.exit(1 if failures else 0)
