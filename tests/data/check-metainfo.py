#!/usr/bin/env python3
# check-metainfo.py: the metainfo has what software centres need, which
# Debian 12's appstreamcli does not check itself.
# SPDX-License-Identifier: GPL-3.0-or-later
import os
import struct
import sys
import xml.etree.ElementTree as ET

path, app_id, screenshot_dir = sys.argv[1], sys.argv[2], sys.argv[3]
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

# Screenshots are files of this tree, published under the URLs given.
def png_size(file):
    with open(file, 'rb') as f:
        head = f.read(24)
    if head[:8] != b'\x89PNG\r\n\x1a\n':
        return None
    return struct.unpack('>II', head[16:24])


screenshots = root.findall('screenshots/screenshot')
if not screenshots:
    failures.append('no <screenshots>')
if [s.get('type') for s in screenshots].count('default') != 1:
    failures.append('not exactly one <screenshot type="default">')
shipped = set(n for n in os.listdir(screenshot_dir) if n.endswith('.png')) \
    if os.path.isdir(screenshot_dir) else set()
for shot in screenshots:
    if not shot.findtext('caption'):
        failures.append('a <screenshot> has no <caption>')
    url = shot.findtext('image') or ''
    name = url.rsplit('/', 1)[-1]
    if not url.startswith('https://') or name not in shipped:
        failures.append(f'screenshot {url!r} is not an https:// URL of a file in '
                        f'{screenshot_dir}')
        continue
    size = png_size(os.path.join(screenshot_dir, name))
    # Software centres want at least 620×349 and scale larger ones down.
    if size is None or size[0] < 620 or size[1] < 349:
        failures.append(f'{name} is not a PNG of at least 620×349')
for name in sorted(shipped):
    if not any((s.findtext('image') or '').endswith('/' + name) for s in screenshots):
        failures.append(f'{screenshot_dir}/{name} is not listed in <screenshots>')

for failure in failures:
    print('FAIL:', failure)
sys.exit(1 if failures else 0)
