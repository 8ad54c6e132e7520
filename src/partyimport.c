/* partyimport.c: placeholder, being written. */
int xc_partyimport_placeholder;
