/* match.c: placeholder, being written. */
int xc_match_placeholder;
