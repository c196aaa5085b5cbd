/* SPDX-License-Identifier: MIT */
/* The verbs; each lives in its own file and takes (argc, argv) starting at the verb. */
#ifndef LUGATE_TOOLS_VERBS_H
#define LUGATE_TOOLS_VERBS_H

#ifndef LUGATE_VERSION
#define LUGATE_VERSION "0.1"
#endif

int cmd_handoff(int argc, char **argv);
int cmd_manifest(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_bundle(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_embed(int argc, char **argv);
int cmd_seal(int argc, char **argv);
int cmd_load(int argc, char **argv);

int cmd_status(int argc, char **argv);
int cmd_history(int argc, char **argv);

#endif
