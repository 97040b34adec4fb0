// the tide table is published under harbour.example.test and its subdomains
export default {
  preview: {
    allowedHosts: ['.harbour.example.test'],
  },
};
