# omnichannel — PGXS build.
#
# The install script sql/omnichannel--$(EXTVERSION).sql is generated from the
# subsystem files in sql/src/ (concatenated in name order) so each concept
# keeps its own file.  Released install scripts are frozen in sql/released/;
# each upgrade script sql/omnichannel--A--B.sql is generated from the parts in
# sql/upgrade/A--B/ (docs/operations.md, "Upgrades").  Regression tests are every sql/*.sql that is not an
# extension script; isolation specs are test/specs/*.spec.

EXTENSION   = omnichannel
EXTVERSION  = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(EXTENSION).control)
MODULE_big  = omnichannel
SRCS        = $(sort $(wildcard src/*.c src/*/*.c))
OBJS        = $(SRCS:.c=.o)
PGFILEDESC  = "omnichannel - contact-center engine"

SQL_PARTS   = $(sort $(wildcard sql/src/*.sql))
UPGRADES    = $(notdir $(wildcard sql/upgrade/*--*))
UPGRADE_SQL = $(foreach u,$(UPGRADES),sql/$(EXTENSION)--$(u).sql)
INSTALL_SQL = sql/$(EXTENSION)--$(EXTVERSION).sql
DATA_built  = $(INSTALL_SQL) $(UPGRADE_SQL)
DATA        = $(wildcard sql/released/$(EXTENSION)--*.sql)
DATA_DIR    = $(wildcard data/*.tsv)

PG_CPPFLAGS = -I$(srcdir)/src $(shell pkg-config --cflags icu-uc icu-i18n)
SHLIB_LINK  = $(shell pkg-config --libs icu-uc icu-i18n)

REGRESS      = $(sort $(basename $(notdir $(filter-out sql/$(EXTENSION)--%,$(wildcard sql/*.sql)))))
REGRESS_OPTS = --inputdir=.
ISOLATION    = $(sort $(basename $(notdir $(wildcard test/specs/*.spec))))
ISOLATION_OPTS = --inputdir=test

EXTRA_CLEAN = $(DATA_built) results regression.diffs regression.out output_iso

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# ---- sentiment engine (docs/sentiment.md) -------------------------------------
# The built-in lexicons are data files; make turns them into the last part of
# the install script.  "make fuzz-sentiment" runs the libFuzzer harness.
SENTIMENT_LEXICON = $(sort $(wildcard data/lexicon/*.tsv))
SENTIMENT_SQL     = data/lexicon/gen/lexicon_data.sql
SQL_PARTS        += $(SENTIMENT_SQL)
EXTRA_CLEAN      += data/lexicon/gen test/fuzz/out

$(SENTIMENT_SQL): $(SENTIMENT_LEXICON) data/lexicon/lexicon2sql.awk
	@mkdir -p $(dir $@)
	@awk -f data/lexicon/lexicon2sql.awk $(SENTIMENT_LEXICON) > $@.tmp && mv $@.tmp $@

fuzz-sentiment:
	@bash test/fuzz/run.sh
.PHONY: fuzz-sentiment
# ---- end sentiment -------------------------------------------------------------

# ---- conversation intelligence (docs/conversation-intelligence.md) ------------
# Built-in action phrases are data files; make turns them into an install-script
# part that the 0.1.0--0.2.0 upgrade also runs (so it is kept in git).
INSIGHT_ACTIONS = $(sort $(wildcard data/actions/*.tsv))
INSIGHT_SQL     = sql/upgrade/0.1.0--0.2.0/61_insight_actions.sql
SQL_PARTS      += $(INSIGHT_SQL)

$(INSIGHT_SQL): $(INSIGHT_ACTIONS) data/actions/actions2sql.awk
	@awk -f data/actions/actions2sql.awk $(INSIGHT_ACTIONS) > $@.tmp && mv $@.tmp $@
# ---- end conversation intelligence ----------------------------------------------

$(INSTALL_SQL): $(SQL_PARTS) $(EXTENSION).control Makefile
	@echo "-- generated from sql/src/*.sql by make; do not edit" > $@
	@printf '%s\n' '\echo Use "CREATE EXTENSION $(EXTENSION)" to load this file. \quit' >> $@
	@for f in $(SQL_PARTS); do echo; echo "-- ==== $$f ===="; cat $$f; done >> $@

# sql/omnichannel--A--B.sql: the parts of sql/upgrade/A--B/ in name order.
.SECONDEXPANSION:
$(UPGRADE_SQL): sql/$(EXTENSION)--%.sql: $$(sort $$(wildcard sql/upgrade/%/*.sql)) Makefile
	@echo "-- generated from sql/upgrade/$*/*.sql by make; do not edit" > $@
	@printf '%s\n' '\echo Use "ALTER EXTENSION $(EXTENSION) UPDATE" to load this file. \quit' >> $@
	@for f in $(sort $(wildcard sql/upgrade/$*/*.sql)); do echo; echo "-- ==== $$f ===="; cat $$f; done >> $@

all: $(DATA_built)

# Run the two suites separately so a failure in one does not skip the other.
installcheck-regress: submake
	$(pg_regress_installcheck) $(REGRESS_OPTS) $(REGRESS)

installcheck-isolation: submake
	$(pg_isolation_regress_installcheck) $(ISOLATION_OPTS) $(ISOLATION)

.PHONY: installcheck-regress installcheck-isolation
