#!/usr/bin/env bash
# Install the udev rules for stable device names and reload udev. Run as root.
set -euo pipefail
install -m 0644 "$(dirname "$0")/99-reception-devices.rules" /etc/udev/rules.d/
udevadm control --reload-rules
udevadm trigger --subsystem-match=tty --subsystem-match=usb
echo "udev: rules installed; add the kiosk user to the dialout group"
