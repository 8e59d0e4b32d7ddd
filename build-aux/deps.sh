# build-aux/deps.sh: installs the Debian packages and locales the build and
# the tests need, only when something is missing. Sourced by check and demo.
# SPDX-License-Identifier: GPL-3.0-or-later

CD_PACKAGES=(
  meson ninja-build pkg-config gcc
  libglib2.0-dev libglib2.0-dev-bin libglib2.0-bin
  libgtk-4-dev libadwaita-1-dev libsoup-3.0-dev libjson-glib-dev
  libsecret-1-dev libsqlite3-dev libcrypt-dev
  gettext appstream desktop-file-utils python3
  xvfb xauth xdotool dbus-daemon dbus-user-session gnome-keyring
  locales fonts-cantarell adwaita-icon-theme
  clang libclang-rt-14-dev
)

cd_as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "error: need root (or sudo) to run: $*" >&2
    return 1
  fi
}

cd_install_deps() {
  local missing=() pkg status
  for pkg in "${CD_PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [ "$status" = installed ] || missing+=("$pkg")
  done

  if [ "${#missing[@]}" -gt 0 ]; then
    echo "==> Installing ${#missing[@]} missing packages: ${missing[*]}"
    cd_as_root apt-get update -q
    cd_as_root env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    echo "==> All build and test packages are installed"
  fi

  cd_ensure_locales
}

# The German and English UI tests need real locales, not only C.UTF-8.
cd_ensure_locales() {
  local want=() loc
  for loc in de_DE en_US; do
    locale -a 2>/dev/null | grep -qix "$loc.utf8" || want+=("$loc")
  done
  [ "${#want[@]}" -gt 0 ] || return 0

  echo "==> Generating locales: ${want[*]}"
  for loc in "${want[@]}"; do
    if ! grep -q "^$loc.UTF-8 UTF-8" /etc/locale.gen 2>/dev/null; then
      echo "$loc.UTF-8 UTF-8" | cd_as_root tee -a /etc/locale.gen >/dev/null
    fi
  done
  cd_as_root locale-gen
}

# Configures (once) and builds the app into $1 with the install prefix $2.
# A configuration that broke off half-way is started again from scratch.
cd_build() {
  local builddir=$1 prefix=$2
  shift 2
  if [ ! -f "$builddir/build.ninja" ]; then
    echo "==> Configuring $builddir"
    if [ -d "$builddir/meson-private" ]; then
      meson setup --wipe "$builddir" --prefix="$prefix" "$@"
    else
      meson setup "$builddir" --prefix="$prefix" "$@"
    fi
  fi
  echo "==> Building"
  meson compile -C "$builddir"
}
