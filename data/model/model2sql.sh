#!/bin/sh
# model2sql.sh data/model/<lang>.osm ... — the INSERT statements of the
# generated install-script part "model data" (see Makefile): each model file
# becomes one built-in row of omni.sentiment_model, its bytes as bytea hex.
echo "-- generated from data/model/*.osm by make; do not edit"
for f in "$@"; do
	lang=$(basename "$f" .osm)
	printf "INSERT INTO omni.sentiment_model (language, model, builtin, trained_on) VALUES ('%s', '\\\\x" "$lang"
	od -An -v -tx1 "$f" | tr -d ' \n'
	printf "'::bytea, true, '%s');\n" "$(sed -n "s/^$lang	//p" "$(dirname "$f")/TRAINED_ON")"
done
