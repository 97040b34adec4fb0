// A board whose page says which settings it runs with: express picks them from NODE_ENV.
const express = require('express');

const app = express();
const verbose = app.get('env') !== 'production';

app.get('/', (req, res) => {
  res.type('text/plain').send(`settings: ${app.get('env')}\ndetails shown: ${verbose}\n`);
});

app.listen(3000, () => console.log('board on 3000'));
