/* SPDX-License-Identifier: GPL-2.0 */
#ifndef OVSKVM_SUBCOMMANDS_H
#define OVSKVM_SUBCOMMANDS_H

extern const char *prog;

int cmd_load(int argc, char *argv[]);
int cmd_verify(int argc, char *argv[]);
int cmd_status(int argc, char *argv[]);
int cmd_check_config(int argc, char *argv[]);
int cmd_apply(int argc, char *argv[]);
int cmd_monitor(int argc, char *argv[]);
int cmd_agent(int argc, char *argv[]);

/*
 * Parse the options every subcommand takes (-h/--help plus LONGOPTS given
 * as getopt_long would); prints USAGE and returns 0 for --help.  Shared by
 * the subcommands so their help behaves the same.
 */
void print_usage(const char *usage, int to_stderr);

#endif
