#!/usr/bin/env bash
# Trains the intent / sentiment / urgency model in ONE command: data, native tools, training,
# evaluation on dev, export to models/nlu/ with its report, card and manifest entry.
#   scripts/train/train_nlu.sh [--refresh-data]      (steps: scripts/train/train_classifier.sh)
exec "$(dirname "$0")/train_classifier.sh" nlu "$@"
