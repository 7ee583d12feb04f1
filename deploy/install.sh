#!/usr/bin/env bash
# Install everything the reception terminal needs on Debian 12: system packages
# and a virtualenv in .venv with the project installed. Idempotent.
#
# Optional steps (never run by deploy/demo.sh, deploy/test.sh or CI):
#   --systemd            install and enable the systemd units (deploy/systemd/): user
#                        `reception`, data in /var/lib/reception/data, config in
#                        /etc/reception/reception.toml, the daily backup timer with its
#                        passphrase in /etc/reception/backup.pass, the journald limits
#                        (deploy/journald/); needs root and a running systemd
#   --sim                with --systemd: also enable reception-sim (simulated devices)
#   --udev               install the serial devices' udev rules (deploy/udev/install.sh)
#   --model SRC          install a Vosk speech model for the hotline from a local archive,
#   --model-sha256 SUM   a URL or a known name, checked against SUM (both required).
#                        Also from $RECEPTION_VOSK_MODEL / $RECEPTION_VOSK_SHA256.
#                        Without a model the hotline runs on keys (DTMF) only.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; }

SYSTEMD=0 SIM=0 UDEV=0
MODEL=${RECEPTION_VOSK_MODEL:-}
MODEL_SHA256=${RECEPTION_VOSK_SHA256:-}
while [ $# -gt 0 ]; do
  case "$1" in
    --systemd) SYSTEMD=1 ;;
    --sim) SIM=1 ;;
    --udev) UDEV=1 ;;
    --model) MODEL=${2:?--model needs an archive, URL or name}; shift ;;
    --model-sha256) MODEL_SHA256=${2:?--model-sha256 needs the archive SHA-256}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
if [ -n "$MODEL" ] && [ -z "$MODEL_SHA256" ]; then
  echo "install: --model needs --model-sha256 (or \$RECEPTION_VOSK_SHA256)" >&2
  exit 2
fi

SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"

APT_PACKAGES=(
  python3 python3-venv python3-dev build-essential
  xvfb xauth libgl1 libgl1-mesa-dri libegl1 libmtdev1 x11-utils
  espeak-ng libespeak-ng1 libportaudio2 sox
  fonts-noto-cjk poppler-utils
  baresip socat
  kamailio
  libgammu-dev pkg-config gammu
)

need_apt=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need_apt+=("$p")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[dev]'
echo "install: done (.venv ready)"

# ---- optional: systemd units ------------------------------------------------------------
DATA_SYSTEMD=/var/lib/reception/data
if [ "$SYSTEMD" -eq 1 ]; then
  if [ ! -d /run/systemd/system ]; then
    echo "install: systemd is not running here; units not installed" >&2
    exit 1
  fi
  getent group reception >/dev/null || $SUDO groupadd --system reception
  id -u reception >/dev/null 2>&1 || $SUDO useradd --system --gid reception \
    --home-dir /var/lib/reception --shell /usr/sbin/nologin reception
  $SUDO usermod -a -G dialout,audio,video,input reception
  $SUDO install -d -m 0700 -o reception -g reception /var/lib/reception "$DATA_SYSTEMD"
  $SUDO install -d -m 0755 /etc/reception
  if ! $SUDO runuser -u reception -- test -x "$PWD/.venv/bin/reception"; then
    echo "install: user reception cannot run $PWD/.venv/bin/reception;" \
      "put the checkout where it can read it (e.g. /opt/reception)" >&2
    exit 1
  fi
  units=(reception-hotline.service reception-kiosk.service reception-sim.service
         reception-backup.service reception-backup.timer reception-notices.service
         reception-purge.service reception-purge.timer)
  changed=0
  units+=(reception-kamailio.service)  # the SIP front: kamailio over the hotline workers
  for u in "${units[@]}"; do
    tmp=$(mktemp)
    sed "s#/opt/reception#$PWD#g" "deploy/systemd/$u" >"$tmp"
    if ! cmp -s "$tmp" "/etc/systemd/system/$u"; then
      $SUDO install -m 0644 "$tmp" "/etc/systemd/system/$u"
      changed=1
    fi
    rm -f "$tmp"
  done
  [ "$changed" -eq 0 ] || $SUDO systemctl daemon-reload
  [ "$SIM" -eq 0 ] || $SUDO systemctl enable --now reception-sim.service
  # kamailio fronts the hotline workers with our config: the package's own unit (stock
  # config on 5060) stays off
  $SUDO systemctl disable --now kamailio.service 2>/dev/null || true
  $SUDO systemctl enable --now reception-kamailio.service
  [ "$changed" -eq 0 ] || $SUDO systemctl try-restart reception-kamailio.service
  $SUDO systemctl enable --now reception-hotline.service
  # X2: the purge runs every night by itself (personal data past its keeping period)
  $SUDO systemctl enable --now reception-purge.timer
  # the kiosk needs the X session of the auto-login user: it starts with graphical.target
  $SUDO systemctl enable reception-kiosk.service
  # backups: a random passphrase made once, readable by the service user only
  pass=/etc/reception/backup.pass
  if [ ! -s "$pass" ]; then
    $SUDO install -m 0600 -o reception -g reception /dev/null "$pass"
    head -c 32 /dev/urandom | base64 | $SUDO tee "$pass" >/dev/null
    echo "install: backup passphrase made in $pass: copy it to paper or a second drive" \
      "kept apart from the backups (a new machine needs it to restore)"
  fi
  $SUDO systemctl enable --now reception-backup.timer
  # logs: journald capped (the services write no log files)
  if ! cmp -s deploy/journald/reception.conf /etc/systemd/journald.conf.d/reception.conf; then
    $SUDO install -D -m 0644 deploy/journald/reception.conf /etc/systemd/journald.conf.d/reception.conf
    $SUDO systemctl restart systemd-journald
  fi
  [ "$changed" -eq 0 ] || $SUDO systemctl try-restart reception-hotline.service reception-kiosk.service
  echo "install: systemd units enabled (data $DATA_SYSTEMD, config /etc/reception/reception.toml)"
fi

# ---- optional: udev rules (devices' installer) ------------------------------------------
if [ "$UDEV" -eq 1 ]; then
  $SUDO bash deploy/udev/install.sh
fi

# ---- optional: speech model for the hotline ---------------------------------------------
if [ -n "$MODEL" ]; then
  if [ -n "${RECEPTION_DATA:-}" ]; then data=$RECEPTION_DATA
  elif [ "$SYSTEMD" -eq 1 ]; then data=$DATA_SYSTEMD
  else data=$PWD/data  # where deploy/demo.sh keeps it
  fi
  as=()
  [ "$SYSTEMD" -eq 0 ] || as=($SUDO runuser -u reception --)
  # idempotent: an archive with this SHA-256 already installed is not fetched again
  "${as[@]}" .venv/bin/reception --data "$data" hotline --install-model "$MODEL" \
    --sha256 "$MODEL_SHA256"
  [ "$SYSTEMD" -eq 0 ] || $SUDO systemctl try-restart reception-hotline.service
fi
