#!/bin/sh
# check-translations.sh: regenerates the template from the sources and fails
# when a string is missing from a catalogue, fuzzy, or malformed.
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

srcdir=$1
cd "$srcdir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

grep -v '^#' po/POTFILES.in | sed '/^[[:space:]]*$/d' > "$tmp/files"
while read -r f; do
  [ -f "$f" ] || { echo "FAIL: po/POTFILES.in lists $f, which does not exist"; exit 1; }
done < "$tmp/files"

xgettext --from-code=UTF-8 --add-comments=TRANSLATORS: \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
  --keyword=g_dngettext:2,3 --keyword=ngettext:1,2 \
  -f "$tmp/files" -o "$tmp/all.pot"

status=0
for lang in $(grep -v '^#' po/LINGUAS); do
  msgfmt --check -o /dev/null "po/$lang.po" || status=1
  msgmerge --quiet --no-fuzzy-matching "po/$lang.po" "$tmp/all.pot" \
    -o "$tmp/$lang.po"
  stats=$(LC_ALL=C msgfmt --statistics -o /dev/null "$tmp/$lang.po" 2>&1)
  echo "$lang: $stats"
  case "$stats" in
    *untranslated*|*fuzzy*)
      echo "FAIL: po/$lang.po is incomplete; missing or fuzzy:"
      msgattrib --untranslated --no-obsolete "$tmp/$lang.po" | grep '^msgid' | sed 1d
      msgattrib --only-fuzzy --no-obsolete "$tmp/$lang.po" | grep '^msgid' | sed 1d
      status=1 ;;
  esac
done

# A source file with translatable strings that POTFILES.in forgets; every
# file on disk, so a new file counts before it is committed.
for f in $(find src -name '*.c' -o -name '*.ui' | sort); do
  if grep -qE '(^|[^A-Za-z0-9_])(N|C|NC)?_\(|translatable="yes"' "$f" &&
     ! grep -qxF "$f" "$tmp/files"; then
    echo "FAIL: $f has translatable strings but is not in po/POTFILES.in"
    status=1
  fi
done
exit $status
