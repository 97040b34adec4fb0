// A command-line run through `npm run report`: prints two lines and exits.
console.log('items: 3');
console.log(`total: ${process.env.TOTAL || 42}`);
