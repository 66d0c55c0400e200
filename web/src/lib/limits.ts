// The server's length limits (core/errors.py NAME_MAX, TITLE_MAX, TEXT_MAX, NOTICE_MAX), as the forms' maxLength.
export const NAME_MAX = 20;
export const TITLE_MAX = 50;
export const TEXT_MAX = 2000;
export const NOTICE_MAX = 20000;
