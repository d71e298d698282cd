/** Causeway's version; build.ts will embed the git commit beside it in compiled binaries. */
export const VERSION = "0.1.0";
