// Formats one tide reading; the image keeps it outside the app folder.
module.exports = (cfg, height) => `${cfg.harbour}: high tide ${height} ${cfg.unit}\n`;
