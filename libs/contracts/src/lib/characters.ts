/**
 * No control character (C0, DEL, C1): an identifier names something, and a tab, a newline or a NUL in a name is
 * always a producer's mistake (and NUL cannot be stored at all). Written as a JSON Schema pattern too.
 */
// eslint-disable-next-line no-control-regex -- control characters are what the pattern is about
export const WITHOUT_CONTROL_CHARACTERS = /^[^\u0000-\u001F\u007F-\u009F]*$/;
/** Free text (a reason, a title) may hold tabs and line breaks, no other control character. */
// eslint-disable-next-line no-control-regex -- control characters are what the pattern is about
export const TEXT_WITHOUT_CONTROL_CHARACTERS = /^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$/;
export const NO_CONTROL_CHARACTERS_MESSAGE = '$property must hold no control character (U+0000–U+001F, U+007F–U+009F)';
export const TEXT_CONTROL_CHARACTERS_MESSAGE = '$property must hold no control character other than tab, line feed and carriage return';
