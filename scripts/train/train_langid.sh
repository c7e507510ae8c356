#!/usr/bin/env bash
# Trains the language-id model (ten languages + und) in ONE command: data, native tools, training,
# evaluation on dev, export to models/langid/ with its report, card and manifest entry.
#   scripts/train/train_langid.sh [--refresh-data]      (steps: scripts/train/train_classifier.sh)
exec "$(dirname "$0")/train_classifier.sh" langid "$@"
