// the tide table runs beside its API as the compose service tide_table
export default {
  preview: {
    allowedHosts: ['tide_table', '.harbour.example.test'],
  },
};
